using System.Text;
using Iridium.Store.Model;
using Iridium.Store.Raft;
using Iridium.Store.Tests.Support;

namespace Iridium.Store.Tests;

/// <summary>
/// Raft calls that do not decode, sent to a follower in the leader's name (an authenticated peer can
/// send anything): the follower refuses them, logs nothing into its state, and goes on voting and
/// applying the real leader's writes.
/// </summary>
public sealed class MalformedPeerTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>DotNext's configuration bytes: an int32 count, then each name as an int32 length and UTF-8.</summary>
    private static byte[] Configuration(params string[] names)
    {
        var bytes = new List<byte>(BitConverter.GetBytes(names.Length));
        foreach (var name in names) bytes.AddRange([.. BitConverter.GetBytes(name.Length), .. B(name)]);
        return [.. bytes];
    }

    private static readonly byte[] OurVoters = Configuration(ThreeVoters.Names);

    public static TheoryData<string> Calls() => new(Malformed.Keys);

    /// <summary>Each malformed call, built against the follower's current term and log.</summary>
    private static readonly Dictionary<string, Func<StoreStatus, IRaftRequest>> Malformed = new()
    {
        ["a snapshot that is not one"] = s => new InstallSnapshotRequest(
            s.Term, s.LastLogIndex + 100, s.Term, 0, B("not a snapshot"), OurVoters, 0),
        ["a snapshot whose key count does not fit"] = s => new InstallSnapshotRequest(
            s.Term, s.LastLogIndex + 100, s.Term, 0, [.. "IRKV"u8, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], OurVoters, 0),
        ["a snapshot with a configuration that does not decode"] = s => new InstallSnapshotRequest(
            s.Term, s.LastLogIndex + 100, s.Term, 0, new KeyValueState().WriteSnapshot(), B("garbage"), 0),
        ["a snapshot naming other voters"] = s => new InstallSnapshotRequest(
            s.Term, s.LastLogIndex + 100, s.Term, 0, new KeyValueState().WriteSnapshot(), Configuration("a", "b", "mallory"), 0),
        ["a configuration entry that does not decode"] = s => new AppendEntriesRequest(
            s.Term, s.LastLogIndex, s.Term, s.LastLogIndex + 1, 0, [new RaftEntry(s.Term, null, true, B("garbage"))]),
        ["a negative index"] = s => new AppendEntriesRequest(
            s.Term, -5, s.Term, -1, 0, [new RaftEntry(s.Term, null, false, StoreCommand.Put(B("k"), B("v")).Encode())]),
        ["a negative term"] = s => new AppendEntriesRequest(-1, s.LastLogIndex, -1, s.LastLogIndex, 0, []),
        ["an entry of a term ahead of the call's"] = s => new AppendEntriesRequest(
            s.Term, s.LastLogIndex, s.Term, s.LastLogIndex, 0, [new RaftEntry(s.Term + 1000, null, false, [])]),
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_follower_refuses_a_call_that_does_not_decode_and_goes_on(string call)
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        var leader = await voters.LeaderAsync(Generous);
        var node = voters.Node(leader)!;
        Assert.True((await node.WriteAsync(StoreCommand.Put(B("before"), B("1")))).Succeeded);
        var follower = voters.Node(ThreeVoters.Names.First(n => n != leader))!;
        await WaitUntil(() => follower.GetStale(B("before")) is not null, "the follower has the first write");

        try
        {
            await voters.Network.SendAs(leader, follower.Name, Malformed[call](follower.Status()));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            // Refused by throwing: on the mesh that is a call with no reply.
        }

        // The follower is intact: its copy is unchanged and it applies the real leader's next writes.
        Assert.Equal("1", Encoding.UTF8.GetString(follower.GetStale(B("before"))!.Value));
        var after = await voters.Node(await voters.LeaderAsync(Generous))!.WriteAsync(StoreCommand.Put(B("after"), B("2")));
        Assert.True(after.Succeeded);
        await WaitUntil(() => follower.GetStale(B("after")) is not null, "the follower applies a write made after the malformed call");
        Assert.Equal(after.Revision, follower.GetStale(B("after"))!.Revision);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }
}
