using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Exec;

/// <summary>
/// One `ps`: this node's processes and the lists its members send back, answered to the client
/// once, when every member asked has replied (or was lost), or when the caller's timeout calls
/// <see cref="Finish"/>.
/// </summary>
/// <param name="answered">Called once, just before the answer is queued: the request id is free again.</param>
internal sealed class ProcessGather(ClusterConnection client, long requestId, List<ProcessRecord> records, Action answered)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Relay> _outstanding = [];
    private bool _armed;
    private bool _answered;

    public void Expect(Relay relay)
    {
        lock (_gate) _outstanding.Add(relay);
    }

    /// <summary>Every member has been asked: from now on the last answer completes it.</summary>
    public void Arm()
    {
        lock (_gate) _armed = true;
    }

    public IReadOnlyList<Relay> Outstanding()
    {
        lock (_gate) return [.. _outstanding];
    }

    /// <summary>A member's list, or null when it will not come (lost, not sent).</summary>
    public void Answered(Relay relay, List<ProcessRecord>? list)
    {
        lock (_gate)
        {
            if (!_outstanding.Remove(relay) || _answered) return;
            if (list is not null) records.AddRange(list.Where(r => r is not null));
        }
        TryComplete();
    }

    /// <summary>Answers when nothing is outstanding; true when it has been answered.</summary>
    public bool TryComplete()
    {
        lock (_gate)
        {
            if (!_armed || _outstanding.Count > 0) return _answered;
        }
        Finish();
        return true;
    }

    /// <summary>Answers with what has arrived (once).</summary>
    public void Finish()
    {
        List<ProcessRecord> answer;
        lock (_gate)
        {
            if (_answered) return;
            _answered = true;
            answer = [.. records];
        }
        answer.Sort(ByNodeThenNumber);
        // The id is free before the answer leaves: a client may reuse it as soon as it has read it.
        answered();
        client.TrySend(new ProcessList { RequestId = requestId, Processes = answer });
    }

    /// <summary>By alias, then by N of ALIAS.N as a number (node.9 before node.10).</summary>
    private static int ByNodeThenNumber(ProcessRecord a, ProcessRecord b)
    {
        int byAlias = string.CompareOrdinal(a.Alias, b.Alias);
        if (byAlias != 0) return byAlias;
        return Number(a.ProcessId).CompareTo(Number(b.ProcessId)) is var byNumber and not 0 ? byNumber : string.CompareOrdinal(a.ProcessId, b.ProcessId);
    }

    private static long Number(string? id)
        => id is not null && id.LastIndexOf('.') is var dot and >= 0 && long.TryParse(id.AsSpan(dot + 1), out long n) ? n : long.MaxValue;
}
