using System.Buffers.Binary;
using System.Text;
using Iridium.Store.Model;

namespace Iridium.Store.Raft;

/// <summary>
/// What a Raft call from another voter must be before DotNext sees it. DotNext trusts its peers'
/// bytes: a snapshot that does not parse or a configuration that does not decode fails its applier
/// for good (the voter applies nothing more), and negative indexes or terms break its log
/// arithmetic. Voters are authenticated members, but a bug or a hostile member must cost one
/// refused call, not a voter. The voter set is fixed by the settings, so a configuration must name
/// exactly the voters this node was given.
/// </summary>
internal static class RaftCallCheck
{
    /// <summary>Null when <paramref name="request"/> is sound, else what is wrong with it.</summary>
    public static string? Problem(IRaftRequest request, IReadOnlyList<string> voters) => request switch
    {
        VoteRequest r => Negative(r.Term, r.LastLogIndex, r.LastLogTerm),
        PreVoteRequest r => Negative(r.Term, r.LastLogIndex, r.LastLogTerm),
        AppendEntriesRequest r => Negative(r.Term, r.PrevLogIndex, r.PrevLogTerm, r.CommitIndex) ?? Entries(r, voters),
        InstallSnapshotRequest r => Negative(r.Term, r.SnapshotIndex, r.SnapshotTerm, r.ConfigurationVersion)
            ?? (r.SnapshotTerm > r.Term ? $"a snapshot of term {r.SnapshotTerm} sent in term {r.Term}" : null)
            ?? Configuration(r.Configuration, voters)
            ?? Snapshot(r.Snapshot),
        SynchronizeRequest r => Negative(r.CommitIndex),
        _ => null,
    };

    private static string? Negative(params ReadOnlySpan<long> numbers)
    {
        foreach (var n in numbers)
            if (n < 0) return $"a negative term or index ({n})";
        return null;
    }

    private static string? Entries(AppendEntriesRequest request, IReadOnlyList<string> voters)
    {
        foreach (var entry in request.Entries)
        {
            // A leader sends entries of its own term or earlier ones, never later.
            if (entry.Term < 0 || entry.Term > request.Term) return $"an entry of term {entry.Term} sent in term {request.Term}";
            if (entry.IsConfiguration && Configuration(entry.Payload, voters) is { } problem) return problem;
        }
        return null;
    }

    /// <summary>DotNext's configuration: a little-endian int32 count, then each voter as <see cref="VoterConfiguration"/> encodes it.</summary>
    private static string? Configuration(ReadOnlySpan<byte> bytes, IReadOnlyList<string> voters)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (bytes.Length < 4) return "a configuration cut short";
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (count != voters.Count) return $"a configuration of {count} voters where this node has {voters.Count}";
        var at = 4;
        for (var i = 0; i < count; i++)
        {
            if (bytes.Length - at < 4) return "a configuration cut short";
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            if (length < 1 || length > bytes.Length - at - 4) return $"a voter name of {length} bytes in a configuration";
            names.Add(Encoding.UTF8.GetString(bytes.Slice(at + 4, length)));
            at += 4 + length;
        }
        if (at != bytes.Length) return "bytes after a configuration";
        return names.SetEquals(voters) ? null : $"a configuration of other voters ({string.Join(", ", names)})";
    }

    private static string? Snapshot(byte[] bytes)
    {
        try
        {
            new KeyValueState().ReadSnapshot(bytes);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }
}
