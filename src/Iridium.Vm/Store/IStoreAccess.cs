namespace Iridium.Vm;

/// <summary>
/// The replicated store as the store instructions (KGET, KPUT, KDEL, KCAS) see it: what a node
/// gives its <see cref="ProcessRuntime"/> (<see cref="ProcessRuntime.Store"/>) when its programs can
/// reach the store. Without one, every store instruction answers "unavailable" at once. The VM
/// checks keys and values against the limits before it asks, so an implementation sees only keys
/// of 1 to <see cref="StoreRecords.MaxKeyBytes"/> bytes and values of at most <see cref="MaxValueBytes"/>.
/// <para>
/// Each method is called on the thread of the process that runs the instruction: start the
/// operation and return; never block. The process waits for the answer holding no thread. An
/// operation must end within the store's timeout, with <see cref="StoreAnswer.Unavailable"/> when
/// it could not be confirmed; an exception counts as "unavailable" too.
/// </para>
/// </summary>
public interface IStoreAccess
{
    /// <summary>The largest value the store takes; a larger one faults VALUE before anything is asked.</summary>
    int MaxValueBytes { get; }

    /// <summary>Found (<see cref="StoreAnswer.Done"/> with the value), <see cref="StoreAnswer.Absent"/> or unavailable; linearizable.</summary>
    ValueTask<StoreReply> GetAsync(byte[] key);

    /// <summary>Done once acknowledged (durable on a majority), else unavailable.</summary>
    ValueTask<StoreReply> PutAsync(byte[] key, byte[] value);

    /// <summary>Done when the key existed and the delete is acknowledged; <see cref="StoreAnswer.Absent"/> when it did not exist.</summary>
    ValueTask<StoreReply> DeleteAsync(byte[] key);

    /// <summary>
    /// Done when the key held exactly <paramref name="expected"/> (null: the key did not exist) and
    /// now holds <paramref name="value"/>, acknowledged; <see cref="StoreAnswer.Mismatch"/> when it held something else.
    /// </summary>
    ValueTask<StoreReply> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value);
}
