using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>A process of the node's runtime as one row of `iridium ps`.</summary>
internal static class ProcessRecords
{
    public static ProcessRecord Of(Process process, Guid nodeId, string alias, long nowMs)
    {
        var owner = process.Group.Owner as ProcessCommands.IGroupOwner;
        return new ProcessRecord
        {
            ProcessId = process.Id,
            NodeId = nodeId,
            Alias = alias,
            Program = owner?.Program ?? "?",
            State = StateOf(process.State),
            Steps = process.Steps,
            HeapBytes = process.HeapBytes,
            AgeMs = Math.Max(0, nowMs - process.StartedAtMs),
            Origin = owner?.Origin ?? (process.Group.PartOf is not null ? "spawned by " + process.Group.Id : "?"),
            MailboxLength = process.MailboxLength,
            Dropped = process.Dropped,
            Parent = process.Parent?.Id ?? "",
            Group = process.Group.Id,
        };
    }

    private static ProcessState StateOf(ProcessRunState state) => state switch
    {
        ProcessRunState.Running => ProcessState.Running,
        ProcessRunState.Waiting => ProcessState.Waiting,
        _ => ProcessState.Runnable,
    };
}
