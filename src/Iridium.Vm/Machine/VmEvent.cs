namespace Iridium.Vm;

public enum VmEventKind : byte
{
    Start,
    GracefulStop,
    Crash,
}

/// <summary>An event of a VM (isa.md §7), stamped with UTC time and the VM's id.</summary>
public sealed record VmEvent(VmEventKind Kind, int Code, DateTime AtUtc, Guid VmId)
{
    /// <summary>The event's stop code: 0 for Start, otherwise its code.</summary>
    public int StopCode => Kind == VmEventKind.Start ? 0 : Code;

    public override string ToString() => Kind switch
    {
        VmEventKind.Start => $"Start at {AtUtc:O} (vm {VmId})",
        _ => $"{Kind}{{{Code}}} at {AtUtc:O} (vm {VmId})",
    };
}
