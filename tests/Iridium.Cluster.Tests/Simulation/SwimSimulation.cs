using System.Numerics;

namespace Iridium.Cluster.Tests.Simulation;

/// <summary>The knobs of the partial-view membership proposed in docs/scale.md (memberlist's LAN values unless said).</summary>
internal sealed record SwimSettings
{
    /// <summary>Gossip round: every live node sends its newest updates to <see cref="Fanout"/> random members.</summary>
    public int RoundMs { get; init; } = 200;

    public int Fanout { get; init; } = 3;

    /// <summary>A protocol period (one probe per node) is this many rounds: 1 s.</summary>
    public int RoundsPerProbe { get; init; } = 5;

    /// <summary>Updates carried by one message (what fits a 1,400-byte datagram at ~40 bytes each).</summary>
    public int PiggybackLimit { get; init; } = 32;

    /// <summary>Each update is sent this many times × ceil(log10(N + 1)) by each node that learns it.</summary>
    public int RetransmitMultiplier { get; init; } = 4;

    /// <summary>Updates a node keeps to send; the oldest are dropped beyond it (the push-pull makes up for them).</summary>
    public int QueueLimit { get; init; } = 512;

    /// <summary>Suspicion lasts this many protocol periods × max(1, log10 N) before the suspect is declared dead.</summary>
    public int SuspicionMultiplier { get; init; } = 4;

    /// <summary>Every node exchanges its whole member set with a random member this often (random phase per node).</summary>
    public int PushPullMs { get; init; } = 10_000;
}

/// <summary>What a simulated run measured, in simulated milliseconds.</summary>
internal sealed record SwimFigures(int Nodes, long ConvergedMs, long? FirstSuspectMs, long? AllDeadMs, double MessagesPerNodePerSecond, long FalseSuspicions);

/// <summary>
/// A discrete-time simulation of SWIM-style membership (probes, suspicion, dissemination by
/// piggybacked gossip, periodic push-pull) for thousands of nodes on a simulated clock and an
/// in-memory network without loss: no sockets, no threads, no real time. A node's view is a bitset
/// of the members it knows (and one of those it holds dead), so 10,000 nodes take ~25 MB. It
/// measures what docs/scale.md needs: how long N nodes started at once (each through a random
/// earlier node) take until every node knows every other, and how long after some nodes die
/// every live node holds them dead. Messages arrive within the round they are sent in.
/// </summary>
internal sealed class SwimSimulation
{
    private const byte Alive = 0, Suspect = 1, Dead = 2;

    private readonly SwimSettings _settings;
    private readonly int _n;
    private readonly int _words;
    private readonly Random _random;
    private readonly ulong[][] _known;
    private readonly ulong[][] _dead;
    private readonly int[] _knownCount;
    private readonly List<(int Subject, byte Kind, int Left)>[] _queues;
    private readonly Dictionary<int, long>?[] _suspicions;
    private readonly bool[] _crashed;
    private readonly int[] _pushPullPhaseMs;
    private readonly int _retransmits;
    private readonly long _suspicionMs;
    private long _messages;
    private long _falseSuspicions;

    public SwimSimulation(int nodes, SwimSettings settings, int seed = 1)
    {
        _settings = settings;
        _n = nodes;
        _words = (nodes + 63) / 64;
        _random = new Random(seed);
        _known = new ulong[nodes][];
        _dead = new ulong[nodes][];
        _knownCount = new int[nodes];
        _queues = new List<(int, byte, int)>[nodes];
        _suspicions = new Dictionary<int, long>?[nodes];
        _crashed = new bool[nodes];
        _pushPullPhaseMs = new int[nodes];
        _retransmits = settings.RetransmitMultiplier * (int)Math.Ceiling(Math.Log10(nodes + 1));
        _suspicionMs = (long)(settings.SuspicionMultiplier * Math.Max(1, Math.Log10(nodes)) * settings.RoundsPerProbe * settings.RoundMs);
        for (int i = 0; i < nodes; i++)
        {
            _known[i] = new ulong[_words];
            _dead[i] = new ulong[_words];
            _queues[i] = [];
            _pushPullPhaseMs[i] = _random.Next(settings.PushPullMs / settings.RoundMs) * settings.RoundMs;
            Learn(i, i, enqueue: false);
        }
    }

    public long NowMs { get; private set; }

    /// <summary>Every node starts at once and joins through a random earlier one (push-pull with it, which then gossips the newcomer).</summary>
    public void StartAll()
    {
        for (int i = 1; i < _n; i++)
        {
            int seed = _random.Next(i);
            PushPull(i, seed);
            Enqueue(seed, i, Alive);
        }
    }

    /// <summary>Runs rounds until every live node knows every node, or <paramref name="limitMs"/> passes; the time it took, or -1.</summary>
    public long RunUntilConverged(long limitMs)
    {
        long start = NowMs;
        while (NowMs - start < limitMs)
        {
            if (Converged()) return NowMs - start;
            Round();
        }
        return Converged() ? NowMs - start : -1;
    }

    /// <summary>Crashes <paramref name="count"/> random nodes; runs until every live node holds them all dead. (first suspicion, all dead) after the crash, or nulls.</summary>
    public (long? FirstSuspectMs, long? AllDeadMs) CrashAndDetect(int count, long limitMs)
    {
        var victims = new HashSet<int>();
        while (victims.Count < count) victims.Add(_random.Next(_n));
        foreach (int v in victims) _crashed[v] = true;
        long start = NowMs;
        long? firstSuspect = null;
        while (NowMs - start < limitMs)
        {
            Round();
            if (firstSuspect is null && AnyoneSuspects(victims)) firstSuspect = NowMs - start;
            if (AllHoldDead(victims)) return (firstSuspect, NowMs - start);
        }
        return (firstSuspect, null);
    }

    public long Messages => _messages;

    public long FalseSuspicions => _falseSuspicions;

    private void Round()
    {
        NowMs += _settings.RoundMs;
        bool probeRound = NowMs / _settings.RoundMs % _settings.RoundsPerProbe == 0;
        for (int i = 0; i < _n; i++)
        {
            if (_crashed[i]) continue;
            ExpireSuspicions(i);
            for (int f = 0; f < _settings.Fanout; f++)
            {
                int target = RandomKnown(i);
                if (target >= 0) Gossip(i, target);
            }
            if (probeRound) Probe(i);
            if ((NowMs + _pushPullPhaseMs[i]) % _settings.PushPullMs == 0)
            {
                int peer = RandomKnown(i);
                if (peer >= 0 && !_crashed[peer]) PushPull(i, peer);
            }
        }
    }

    /// <summary>Sends the newest queued updates; each one sent counts down, and is dropped at zero.</summary>
    private void Gossip(int from, int to)
    {
        var queue = _queues[from];
        if (queue.Count == 0) return;
        _messages++;
        int sent = 0;
        for (int q = queue.Count - 1; q >= 0 && sent < _settings.PiggybackLimit; q--, sent++)
        {
            var (subject, kind, left) = queue[q];
            if (!_crashed[to]) Receive(to, subject, kind);
            queue[q] = (subject, kind, left - 1);
        }
        queue.RemoveAll(u => u.Left <= 0);
    }

    /// <summary>A probe of a random member: a live one acks (two messages); a crashed one fails the indirect probes too, and is suspected.</summary>
    private void Probe(int from)
    {
        int target = RandomKnown(from);
        if (target < 0) return;
        _messages += 2;
        if (!_crashed[target]) return;
        _messages += 2 * 3; // ping-req to three others, their pings: no acks
        StartSuspicion(from, target);
    }

    private void StartSuspicion(int node, int subject)
    {
        if (IsDead(node, subject)) return;
        var suspicions = _suspicions[node] ??= [];
        if (suspicions.ContainsKey(subject)) return;
        if (!_crashed[subject]) _falseSuspicions++;
        suspicions[subject] = NowMs + _suspicionMs;
        Enqueue(node, subject, Suspect);
    }

    private void ExpireSuspicions(int node)
    {
        var suspicions = _suspicions[node];
        if (suspicions is null || suspicions.Count == 0) return;
        List<int>? due = null;
        foreach (var (subject, deadline) in suspicions)
        {
            if (NowMs >= deadline) (due ??= []).Add(subject);
        }
        if (due is null) return;
        foreach (int subject in due) MarkDead(node, subject);
    }

    private void Receive(int node, int subject, byte kind)
    {
        switch (kind)
        {
            case Alive:
                if (!IsKnown(node, subject)) Learn(node, subject, enqueue: true);
                break;
            case Suspect:
                if (!IsKnown(node, subject)) Learn(node, subject, enqueue: false);
                StartSuspicion(node, subject);
                break;
            case Dead:
                MarkDead(node, subject);
                break;
        }
    }

    private void MarkDead(int node, int subject)
    {
        _suspicions[node]?.Remove(subject);
        if (IsDead(node, subject)) return;
        _dead[node][subject >> 6] |= 1UL << subject;
        Enqueue(node, subject, Dead);
    }

    /// <summary>Both sides end up knowing every member either knew (dead marks included).</summary>
    private void PushPull(int a, int b)
    {
        _messages += 2;
        var ka = _known[a];
        var kb = _known[b];
        for (int w = 0; w < _words; w++)
        {
            ulong union = ka[w] | kb[w];
            _knownCount[a] += BitOperations.PopCount(union & ~ka[w]);
            _knownCount[b] += BitOperations.PopCount(union & ~kb[w]);
            ka[w] = kb[w] = union;
            ulong dead = _dead[a][w] | _dead[b][w];
            _dead[a][w] = _dead[b][w] = dead;
        }
    }

    private void Learn(int node, int subject, bool enqueue)
    {
        _known[node][subject >> 6] |= 1UL << subject;
        _knownCount[node]++;
        if (enqueue) Enqueue(node, subject, Alive);
    }

    private void Enqueue(int node, int subject, byte kind)
    {
        var queue = _queues[node];
        if (queue.Count >= _settings.QueueLimit) queue.RemoveAt(0);
        queue.Add((subject, kind, _retransmits));
    }

    private bool IsKnown(int node, int subject) => (_known[node][subject >> 6] & (1UL << subject)) != 0;

    private bool IsDead(int node, int subject) => (_dead[node][subject >> 6] & (1UL << subject)) != 0;

    /// <summary>A random member <paramref name="node"/> knows and does not hold dead, other than itself; -1 when there is none.</summary>
    private int RandomKnown(int node)
    {
        if (_knownCount[node] <= 1) return -1;
        var known = _known[node];
        var dead = _dead[node];
        int start = _random.Next(_n);
        for (int step = 0; step <= _words; step++)
        {
            int w = (start >> 6) + step;
            if (w >= _words) w -= _words;
            ulong candidates = known[w] & ~dead[w];
            if (step == 0) candidates &= ~0UL << (start & 63);
            if ((w << 6 | 0) <= node && node < (w << 6) + 64) candidates &= ~(1UL << node);
            if (candidates != 0) return (w << 6) + BitOperations.TrailingZeroCount(candidates);
        }
        return -1;
    }

    private bool Converged()
    {
        for (int i = 0; i < _n; i++)
        {
            if (!_crashed[i] && _knownCount[i] < _n) return false;
        }
        return true;
    }

    private bool AnyoneSuspects(HashSet<int> victims)
    {
        for (int i = 0; i < _n; i++)
        {
            if (_crashed[i]) continue;
            if (_suspicions[i] is { Count: > 0 } s && victims.Any(s.ContainsKey)) return true;
            if (victims.Any(v => IsDead(i, v))) return true;
        }
        return false;
    }

    private bool AllHoldDead(HashSet<int> victims)
    {
        for (int i = 0; i < _n; i++)
        {
            if (_crashed[i]) continue;
            foreach (int v in victims)
            {
                if (!IsDead(i, v)) return false;
            }
        }
        return true;
    }

    /// <summary>One whole experiment: start all, converge, crash 1 % (at least one), detect.</summary>
    public static SwimFigures Run(int nodes, SwimSettings settings, long limitMs = 600_000, int seed = 1)
    {
        var sim = new SwimSimulation(nodes, settings, seed);
        sim.StartAll();
        long converged = sim.RunUntilConverged(limitMs);
        long messagesAtConvergence = sim.Messages;
        long convergedAt = sim.NowMs;
        var (suspect, dead) = converged < 0 ? (null, null) : sim.CrashAndDetect(Math.Max(1, nodes / 100), limitMs);
        double seconds = Math.Max(1, (sim.NowMs - convergedAt) / 1000.0);
        double perNode = (sim.Messages - messagesAtConvergence) / seconds / nodes;
        return new SwimFigures(nodes, converged, suspect, dead, perNode, sim.FalseSuspicions);
    }
}
