namespace Iridium.Vm;

/// <summary>
/// Processes on other members: what a node gives its <see cref="ProcessRuntime"/>
/// (<see cref="ProcessRuntime.Network"/>) so that SPAWN, SEND, MONITOR, WHERE and NODES reach past
/// it. Without one the runtime is a single node. A process on another member is a stand-in
/// <see cref="Process"/> here (<see cref="Process.Remote"/>, from <see cref="ProcessRuntime.RemoteProcess"/>):
/// handles, letters and watchers name it like any process. Every method is called on the thread
/// of the process that runs the instruction, or of whoever ends a process: never block.
/// </summary>
public interface IProcessNetwork
{
    /// <summary>Up members, this node included (NODES).</summary>
    int MemberCount { get; }

    /// <summary>This node's index among them: members are indexed in ordinal order of their aliases.</summary>
    int ThisMemberIndex { get; }

    /// <summary>SEND to a remote process: true when handed to the connection to its node.</summary>
    bool Send(Process sender, Process target, byte[] payload);

    /// <summary>MONITOR of a remote process: one notice to <paramref name="watcher"/> later (reason 4 if its node is lost).</summary>
    void Monitor(Process watcher, Process target);

    /// <summary>A local process a remote process monitors has ended: tell that process's node.</summary>
    void Notify(Process watcher, Process about, DownReason reason);

    /// <summary>
    /// SPAWN on member <paramref name="memberIndex"/>: completes <paramref name="call"/> with the
    /// child's stand-in, or null when refused, within the failure timeout.
    /// </summary>
    void Spawn(RemoteCall call, int memberIndex, ProcessImage image, int pcAddress, int r0);

    /// <summary>WHERE NAME@ALIAS: completes <paramref name="call"/> with the process's stand-in, or null, within the failure timeout.</summary>
    void Where(RemoteCall call, string name, string alias);

    /// <summary>
    /// <paramref name="group"/> was stopped (once): its parts on other members, and the group it is
    /// a part of, stop too.
    /// </summary>
    void GroupStopped(ProcessGroup group);
}
