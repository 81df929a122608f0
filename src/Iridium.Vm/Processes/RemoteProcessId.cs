namespace Iridium.Vm;

/// <summary>
/// A process as other members name it: its node's id and its serial there. Never a handle number,
/// which means something only in one process's table.
/// </summary>
public readonly record struct RemoteProcessId(Guid Node, long Serial);
