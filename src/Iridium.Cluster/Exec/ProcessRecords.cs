using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>A process of the node's runtime as one row of `iridium ps`.</summary>
internal static class ProcessRecords
{
    public static ProcessRecord Of(Process process, Guid nodeId, string alias, long nowMs)
    {
        var exec = process.Group.Owner as ExecProcess;
        return new ProcessRecord
        {
            ProcessId = process.Id,
            NodeId = nodeId,
            Alias = alias,
            Program = exec?.Program ?? "?",
            State = ProcessState.Running,
            Steps = process.Steps,
            HeapBytes = process.HeapBytes,
            AgeMs = Math.Max(0, nowMs - process.StartedAtMs),
            Origin = exec?.Origin ?? "?",
        };
    }
}
