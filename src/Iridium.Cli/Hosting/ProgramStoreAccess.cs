using Iridium.Store;
using Iridium.Store.Model;
using Iridium.Store.Service;
using Iridium.Vm;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The store instructions' way into the store (the VM's <see cref="IStoreAccess"/> seam): each
/// operation goes to the node's <see cref="StoreService"/> (a voter's own Raft member, which passes
/// it to the leader, or on any other node a voter over the mesh). <see cref="StoreHosting"/>
/// attaches it to the node's process runtime once the store is reachable; a node without a store
/// has none, and its programs hear "unavailable".
/// </summary>
internal sealed class ProgramStoreAccess(StoreService store) : IStoreAccess
{
    public int MaxValueBytes => store.Limits.MaxValueBytes;

    public async ValueTask<StoreReply> GetAsync(byte[] key)
    {
        try
        {
            var found = await store.GetAsync(key).ConfigureAwait(false);
            return found is null ? StoreReply.Absent : StoreReply.Found(found.Value);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return StoreReply.Unavailable;
        }
    }

    public ValueTask<StoreReply> PutAsync(byte[] key, byte[] value) => WriteAsync(StoreCommand.Put(key, value));

    public ValueTask<StoreReply> DeleteAsync(byte[] key) => WriteAsync(StoreCommand.Delete(key));

    public ValueTask<StoreReply> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value) =>
        WriteAsync(StoreCommand.CompareAndSet(key, expected, value));

    private async ValueTask<StoreReply> WriteAsync(StoreCommand command)
    {
        try
        {
            var result = await store.WriteAsync(command).ConfigureAwait(false);
            return result.Outcome switch
            {
                StoreOutcome.Done => StoreReply.Done,
                StoreOutcome.NotFound => StoreReply.Absent,
                StoreOutcome.Mismatch => StoreReply.Mismatch,
                // Applied as a no-op by every voter: the program cannot know what happened.
                _ => StoreReply.Unavailable,
            };
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return StoreReply.Unavailable;
        }
    }

    /// <summary>
    /// What a program hears as "unavailable": the store did not answer, or refused a key or value
    /// over its limits (the instruction checked the limits it knows before asking, so that is a
    /// store with other limits than ours).
    /// </summary>
    private static bool IsUnavailable(Exception e) => e is StoreUnavailableException or ArgumentException;
}
