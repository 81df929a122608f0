using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Processes;

/// <summary>
/// Groups that span members (docs/reference/cluster-protocol.md, Groups). A process SPAWNed on
/// another member belongs to its parent's group: there it starts a <em>part</em> of the group,
/// and here that part counts as one member (<see cref="RemotePart"/>) until the member says it has
/// ended or is lost, so `run` and `exec` wait for the whole group. A group stopped anywhere (Ctrl-C,
/// `kill --group`, a client gone) is stopped everywhere: its parts elsewhere, and the group it is a
/// part of. A part whose group's member is lost has nobody left to print to: it is stopped. Where
/// the output of a part goes once its parent has ended is kept here too.
/// </summary>
internal sealed class GroupLinks(ProcessRuntime runtime, Func<Guid, IGroupMessage, bool> send)
{
    private readonly Lock _gate = new();
    // Parts of this node's groups on other members, by (member, serial of the part's first process there).
    private readonly Dictionary<PartKey, PartElsewhere> _elsewhere = [];
    // For each process here that started parts on a member: its group and how many parts are open (their output's way home).
    private readonly Dictionary<PartKey, (ProcessGroup Group, int Parts)> _byParent = [];
    // Parts here of groups on other members, by (that member, serial of the part's first process here).
    private readonly Dictionary<PartKey, ProcessGroup> _here = [];
    private readonly Dictionary<ProcessGroup, PartKey> _keyOfPart = [];

    /// <summary>Parts of this node's groups that run on other members now (tests).</summary>
    public int PartsElsewhere
    {
        get { lock (_gate) return _elsewhere.Count; }
    }

    /// <summary>Parts of other members' groups that run here now (tests).</summary>
    public int PartsHere
    {
        get { lock (_gate) return _here.Count; }
    }

    /// <summary>A SPAWN on <paramref name="member"/> started <paramref name="part"/> there (its first process <paramref name="child"/>) for <paramref name="parent"/> here.</summary>
    public void StartedElsewhere(Guid member, long parent, long child, RemotePart part)
    {
        lock (_gate)
        {
            _elsewhere[new PartKey(member, child)] = new PartElsewhere(part, parent);
            var byParent = new PartKey(member, parent);
            _byParent[byParent] = (part.Group, _byParent.TryGetValue(byParent, out var open) ? open.Parts + 1 : 1);
        }
        // Stopped while the SPAWN was on its way: the new part stops too.
        if (part.Group.IsStopping) send(member, new GroupStop { Part = child, FromPart = false });
    }

    /// <summary>A part started here for <paramref name="parent"/> of <paramref name="member"/>: its end is told there, once the SPAWN's answer has gone.</summary>
    public void StartedHere(Guid member, long parent, Process child)
    {
        var key = new PartKey(member, child.Serial);
        var group = child.Group;
        lock (_gate)
        {
            _here[key] = group;
            _keyOfPart[group] = key;
        }
        group.WhenEnded().ContinueWith(_ =>
        {
            bool open;
            lock (_gate)
            {
                open = _here.Remove(key);
                _keyOfPart.Remove(group);
            }
            if (open) send(member, new GroupPartEnded { Parent = parent, Part = child.Serial });
        }, TaskScheduler.Default);
    }

    /// <summary>The group a process here that has ended (<paramref name="parent"/>) belonged to, while its parts on <paramref name="member"/> run: where their output goes.</summary>
    public ProcessGroup? GroupOfParent(Guid member, long parent)
    {
        lock (_gate) return _byParent.TryGetValue(new PartKey(member, parent), out var open) ? open.Group : null;
    }

    /// <summary><paramref name="member"/> says a part of a group here has ended: false when no such part was open.</summary>
    public bool Ended(Guid member, GroupPartEnded ended)
    {
        PartElsewhere? part;
        lock (_gate)
        {
            var key = new PartKey(member, ended.Part);
            if (!_elsewhere.TryGetValue(key, out part) || part.Parent != ended.Parent) return false;
            Forget(key, part);
        }
        part.Part.Release();
        return true;
    }

    /// <summary><paramref name="member"/> asks to stop a group: false when it names no part linked with it.</summary>
    public bool Stop(Guid member, GroupStop stop)
    {
        ProcessGroup? group;
        var key = new PartKey(member, stop.Part);
        lock (_gate)
        {
            group = stop.FromPart
                ? _elsewhere.TryGetValue(key, out var part) ? part.Part.Group : null
                : _here.GetValueOrDefault(key);
        }
        if (group is null) return false;
        runtime.KillGroup(group);
        return true;
    }

    /// <summary><paramref name="group"/> was stopped here: its parts elsewhere stop, and so does the group it is a part of.</summary>
    public void Stopped(ProcessGroup group)
    {
        List<PartKey> parts;
        PartKey? owner;
        lock (_gate)
        {
            parts = [.. _elsewhere.Where(e => e.Value.Part.Group == group).Select(e => e.Key)];
            owner = _keyOfPart.TryGetValue(group, out var key) ? key : null;
        }
        foreach (var part in parts) send(part.Member, new GroupStop { Part = part.Serial, FromPart = false });
        if (owner is { } up) send(up.Member, new GroupStop { Part = up.Serial, FromPart = true });
    }

    /// <summary>
    /// <paramref name="member"/> is lost: its parts of groups here count as ended, and the parts
    /// here of its groups are stopped (nobody is left to read their output or wait for them).
    /// </summary>
    public void Lost(Guid member)
    {
        List<RemotePart> ended = [];
        List<ProcessGroup> orphans = [];
        lock (_gate)
        {
            foreach (var (key, part) in _elsewhere.Where(e => e.Key.Member == member).ToList())
            {
                Forget(key, part);
                ended.Add(part.Part);
            }
            foreach (var (key, group) in _here.Where(e => e.Key.Member == member).ToList())
            {
                _here.Remove(key);
                _keyOfPart.Remove(group);
                orphans.Add(group);
            }
        }
        foreach (var part in ended) part.Release();
        foreach (var group in orphans) runtime.KillGroup(group);
    }

    private void Forget(PartKey key, PartElsewhere part)
    {
        _elsewhere.Remove(key);
        var byParent = new PartKey(key.Member, part.Parent);
        if (_byParent.TryGetValue(byParent, out var open))
        {
            if (open.Parts <= 1) _byParent.Remove(byParent);
            else _byParent[byParent] = (open.Group, open.Parts - 1);
        }
    }

    /// <summary>A process of a member, by its serial there (or here).</summary>
    private readonly record struct PartKey(Guid Member, long Serial);

    private sealed record PartElsewhere(RemotePart Part, long Parent);
}
