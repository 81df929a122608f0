using System.Buffers.Binary;

namespace Iridium.Vm;

/// <summary>
/// The store instructions' work (docs/reference/isa.md, "The replicated store"). Each one checks
/// its records first (a fault has no effect and asks nothing), then asks the runtime's
/// <see cref="IStoreAccess"/> and waits for the answer as SPAWN waits for another member's: pc stays
/// on the instruction, the process holds no thread and takes no steps, and once the answer is in the
/// instruction runs again, checks the same records, and takes it.
/// </summary>
public sealed unsafe partial class Machine
{
    internal FaultCode StoreGet(int a, int b, int c)
    {
        var fault = FindKey(_cpu.R[a], out int keyAt, out int keyLength);
        if (fault != FaultCode.None) return fault;
        int at = _cpu.R[b], room = _cpu.R[c];
        if (at < 0 || room < 0 || (long)at + room > _heapLength) return FaultCode.Heap;
        if (!TakeStoreReply(store => store.GetAsync(HeapBytes(keyAt, keyLength)), out var reply)) return WaitSignal;
        switch (reply.Answer)
        {
            case StoreAnswer.Done:
                var value = reply.Value ?? [];
                _cpu.R[c] = value.Length;
                _cpu.Eq = StoreRecords.LengthBytes + (long)value.Length <= room;
                if (_cpu.Eq)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(_heap.AsSpan(at), value.Length);
                    value.CopyTo(_heap.AsSpan(at + StoreRecords.LengthBytes));
                }
                break;
            case StoreAnswer.Absent:
                _cpu.R[c] = StoreRecords.NotFound;
                _cpu.Eq = false;
                break;
            default:
                _cpu.R[c] = StoreRecords.Unavailable;
                _cpu.Eq = false;
                break;
        }
        return FaultCode.None;
    }

    internal FaultCode StorePut(int a, int b)
    {
        var fault = FindKey(_cpu.R[a], out int keyAt, out int keyLength);
        int valueAt = 0, valueLength = 0;
        if (fault == FaultCode.None) fault = FindValue(_cpu.R[b], absentAllowed: false, out valueAt, out valueLength);
        if (fault != FaultCode.None) return fault;
        if (!TakeStoreReply(store => store.PutAsync(HeapBytes(keyAt, keyLength), HeapBytes(valueAt, valueLength)), out var reply)) return WaitSignal;
        _cpu.Eq = reply.Answer == StoreAnswer.Done;
        return FaultCode.None;
    }

    internal FaultCode StoreDelete(int a)
    {
        var fault = FindKey(_cpu.R[a], out int keyAt, out int keyLength);
        if (fault != FaultCode.None) return fault;
        if (!TakeStoreReply(store => store.DeleteAsync(HeapBytes(keyAt, keyLength)), out var reply)) return WaitSignal;
        _cpu.Eq = reply.Answer == StoreAnswer.Done;
        return FaultCode.None;
    }

    internal FaultCode StoreCompareAndSet(int a, int b, int c)
    {
        var fault = FindKey(_cpu.R[a], out int keyAt, out int keyLength);
        int expectedAt = 0, expectedLength = 0, valueAt = 0, valueLength = 0;
        if (fault == FaultCode.None) fault = FindValue(_cpu.R[b], absentAllowed: true, out expectedAt, out expectedLength);
        if (fault == FaultCode.None) fault = FindValue(_cpu.R[c], absentAllowed: false, out valueAt, out valueLength);
        if (fault != FaultCode.None) return fault;
        if (!TakeStoreReply(store => store.CompareAndSetAsync(
                HeapBytes(keyAt, keyLength),
                expectedLength == StoreRecords.AbsentLength ? null : HeapBytes(expectedAt, expectedLength),
                HeapBytes(valueAt, valueLength)), out var reply)) return WaitSignal;
        _cpu.Eq = reply.Answer == StoreAnswer.Done;
        return FaultCode.None;
    }

    /// <summary>The key record at heap offset <paramref name="at"/>: HEAP when it is not inside the heap, VALUE when it is empty or longer than 1,024 bytes.</summary>
    private FaultCode FindKey(int at, out int start, out int length)
    {
        var fault = FindRecord(at, absentAllowed: false, out start, out length);
        if (fault != FaultCode.None) return fault;
        return length is < StoreRecords.MinKeyBytes or > StoreRecords.MaxKeyBytes ? FaultCode.Value : FaultCode.None;
    }

    /// <summary>A value record: as <see cref="FindRecord"/>, and VALUE when it is longer than the store takes.</summary>
    private FaultCode FindValue(int at, bool absentAllowed, out int start, out int length)
    {
        var fault = FindRecord(at, absentAllowed, out start, out length);
        if (fault != FaultCode.None) return fault;
        int limit = Runtime?.Store?.MaxValueBytes ?? StoreRecords.DefaultMaxValueBytes;
        return length > limit ? FaultCode.Value : FaultCode.None;
    }

    /// <summary>
    /// Where the bytes of the record at heap offset <paramref name="at"/> are. HEAP when its length
    /// field or its bytes are not all inside the heap (a negative length included, except −1 where
    /// <paramref name="absentAllowed"/>: KCAS's "the key must not exist", with no bytes).
    /// </summary>
    private FaultCode FindRecord(int at, bool absentAllowed, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (at < 0 || at > _heapLength - StoreRecords.LengthBytes) return FaultCode.Heap;
        length = BinaryPrimitives.ReadInt32LittleEndian(_heap.AsSpan(at, StoreRecords.LengthBytes));
        start = at + StoreRecords.LengthBytes;
        if (absentAllowed && length == StoreRecords.AbsentLength) return FaultCode.None;
        return length < 0 || length > _heapLength - start ? FaultCode.Heap : FaultCode.None;
    }

    private byte[] HeapBytes(int start, int length) => _heap.AsSpan(start, length).ToArray();

    /// <summary>
    /// The store's answer to the instruction at pc. The first time it runs, it asks
    /// (<paramref name="operation"/>) and, unless the answer is there at once, the process waits
    /// (false: the caller returns <see cref="WaitSignal"/>); once woken with the answer, the
    /// instruction runs again and this returns true with it. With no store, "unavailable" at once,
    /// and the program need not become a process.
    /// </summary>
    private bool TakeStoreReply(Func<IStoreAccess, ValueTask<StoreReply>> operation, out StoreReply reply)
    {
        reply = StoreReply.Unavailable;
        if (Runtime?.Store is not { } store) return true;
        var self = EnsureProcess();
        StoreCall call;
        lock (self)
        {
            if (self.PendingCall is StoreCall asked)
            {
                if (!asked.IsDone) return false;   // woken by a letter: still waiting for the answer
                self.PendingCall = null;
                reply = asked.Reply;
                return true;
            }
            call = new StoreCall(self);
            self.PendingCall = call;
        }
        call.Start(store, operation);
        lock (self)
        {
            if (!call.IsDone) return false;
            self.PendingCall = null;
            reply = call.Reply;
            return true;
        }
    }
}
