using Iridium.Vm;

namespace Iridium.Cluster.Processes;

/// <summary>
/// The destination of a process spawned here for another member: what it prints (whole lines,
/// see Iridium.Vm's ProcessOutput) goes back to its parent's group on that member. Never waits:
/// output the member's queue has no room for is dropped and counted.
/// </summary>
internal sealed class GroupOutputStream(ProcessService service, Guid member, long parent) : WriteOnlyStream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!buffer.IsEmpty) service.SendOutput(member, parent, buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }
}
