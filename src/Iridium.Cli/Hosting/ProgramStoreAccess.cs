using Iridium.Store;
using Iridium.Store.Model;
using Iridium.Vm;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The store instructions' way into the store (the VM's <see cref="IStoreAccess"/> seam) on a node
/// that is a voter: each operation goes to this voter's <see cref="StoreNode"/>, which passes it to
/// the leader when it is not the leader itself. <see cref="StoreHosting"/> attaches it to the node's
/// process runtime once the voter has started; other nodes have none, and their programs hear
/// "unavailable".
/// </summary>
internal sealed class ProgramStoreAccess(StoreNode store) : IStoreAccess
{
    public int MaxValueBytes => store.Limits.MaxValueBytes;

    public async ValueTask<StoreReply> GetAsync(byte[] key)
    {
        try
        {
            var found = await store.GetAsync(key).ConfigureAwait(false);
            return found is null ? StoreReply.Absent : StoreReply.Found(found.Value);
        }
        catch (StoreUnavailableException)
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
        catch (StoreUnavailableException)
        {
            return StoreReply.Unavailable;
        }
    }
}
