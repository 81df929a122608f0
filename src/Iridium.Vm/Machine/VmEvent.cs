namespace Iridium.Vm;

public enum VmEventKind : byte
{
    Start,
    GracefulStop,
    Crash,
    /// <summary>The run was stopped from outside before the program ended (code 0); it can be continued.</summary>
    Interrupted,
}

/// <summary>An event of a VM (docs/reference/isa.md, "Events"), stamped with UTC time and the VM's id.</summary>
public sealed record VmEvent(VmEventKind Kind, int Code, DateTime AtUtc, Guid VmId)
{
    /// <summary>The event's stop code: 0 for Start and Interrupted, otherwise its code.</summary>
    public int StopCode => Kind is VmEventKind.Start or VmEventKind.Interrupted ? 0 : Code;

    public override string ToString() => Kind switch
    {
        VmEventKind.Start or VmEventKind.Interrupted => $"{Kind} at {AtUtc:O} (vm {VmId})",
        _ => $"{Kind}{{{Code}}} at {AtUtc:O} (vm {VmId})",
    };
}
