using System.Buffers.Binary;
using System.Text;

namespace Iridium.Vm.Tests.Store;

/// <summary>
/// KGET, KPUT, KDEL and KCAS against an in-memory store, one row per rule of docs/reference/isa.md
/// ("The replicated store"), faults included. Each row: name, the store before, the initial state,
/// code (words at 68, 72, ...), the state after, the outcome, the store after. The store is written
/// "k=v ..." with <c>max=N</c> (its value limit), <c>unavailable</c>, or <c>none</c> (no store
/// attached, as under `iridium run`). The state notation is <see cref="VmScenario"/>'s, plus
/// <c>REC[n]=text</c> (a record: the length, then the text's bytes) and <c>REC[n]=#len</c> (a
/// length field alone).
/// </summary>
public class StoreInstructionTests
{
    private const string Hlt = "05 00 00 00";
    private const string Kget = "3D 00 01 02|";
    private const string Kput = "3E 00 01 00|";
    private const string Kdel = "3F 00 00 00|";
    private const string Kcas = "40 00 01 02|";
    private const string Aloc5 = "11 05 00 00|";

    public static TheoryData<string, string, string, string, string, string, string> Get => new()
    {
        { "KGET found: its record at R[b], R[c] = its length", "k=hi", "REC[0]=k R0=0 R1=16 R2=8", Kget + Hlt, "EQ=1 R2=2 REC[16]=hi PC=76", "stop 0", "k=hi" },
        { "KGET whose record fits exactly", "k=hi", "REC[0]=k R0=0 R1=16 R2=6", Kget + Hlt, "EQ=1 R2=2 REC[16]=hi", "stop 0", "k=hi" },
        { "KGET that does not fit writes nothing", "k=hi", "EQ=1 REC[0]=k R0=0 R1=16 R2=5", Kget + Hlt, "EQ=0 R2=2 HEAP[16]=0 HEAP[20]=0", "stop 0", "k=hi" },
        { "KGET of an empty value", "k=", "HEAP[16]=9 REC[0]=k R0=0 R1=16 R2=4", Kget + Hlt, "EQ=1 R2=0 HEAP[16]=0", "stop 0", "k=" },
        { "KGET of an absent key", "j=x", "EQ=1 REC[0]=k R0=0 R1=16 R2=8", Kget + Hlt, "EQ=0 R2=-1 HEAP[16]=0", "stop 0", "j=x" },
        { "KGET with the store unavailable", "unavailable k=hi", "EQ=1 REC[0]=k R0=0 R1=16 R2=8", Kget + Hlt, "EQ=0 R2=-2 HEAP[16]=0", "stop 0", "k=hi" },
        { "KGET with no store", "none", "EQ=1 REC[0]=k R0=0 R1=16 R2=8", Kget + Hlt, "EQ=0 R2=-2", "stop 0", "" },
        { "KGET of a 1,024-byte key", "", "R5=2000 REC[0]=#1024 R0=0 R1=16 R2=8", Aloc5 + Kget + Hlt, "EQ=0 R2=-1", "stop 0", "" },
        { "KGET key record past the heap", "k=hi", "R0=61 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "k=hi" },
        { "KGET key record at a negative offset", "k=hi", "R0=-1 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "k=hi" },
        { "KGET key longer than the heap holds", "", "REC[0]=#61 R0=0 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "" },
        { "KGET key of a negative length", "", "REC[0]=#-1 R0=0 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "" },
        { "KGET empty key", "", "REC[0]=#0 R0=0 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault VALUE", "" },
        { "KGET 1,025-byte key", "", "R5=2000 REC[0]=#1025 R0=0 R1=16 R2=8", Aloc5 + Kget + Hlt, "R2=8 PC=72", "fault VALUE", "" },
        { "KGET destination past the heap", "k=hi", "REC[0]=k R0=0 R1=60 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "k=hi" },
        { "KGET destination at a negative offset", "k=hi", "REC[0]=k R0=0 R1=-1 R2=8", Kget + Hlt, "R2=8 PC=68", "fault HEAP", "k=hi" },
        { "KGET negative room", "k=hi", "REC[0]=k R0=0 R1=16 R2=-1", Kget + Hlt, "R2=-1 PC=68", "fault HEAP", "k=hi" },
        { "KGET with no store still checks its records", "none", "REC[0]=#0 R0=0 R1=16 R2=8", Kget + Hlt, "R2=8 PC=68", "fault VALUE", "" },
    };

    public static TheoryData<string, string, string, string, string, string, string> Put => new()
    {
        { "KPUT of a new key", "", "REC[0]=k REC[16]=hi R0=0 R1=16", Kput + Hlt, "EQ=1 PC=76", "stop 0", "k=hi" },
        { "KPUT replaces", "k=old", "REC[0]=k REC[16]=hi R0=0 R1=16", Kput + Hlt, "EQ=1", "stop 0", "k=hi" },
        { "KPUT of an empty value", "k=old", "REC[0]=k REC[16]=#0 R0=0 R1=16", Kput + Hlt, "EQ=1", "stop 0", "k=" },
        { "KPUT of a value at the limit", "max=4", "REC[0]=k REC[16]=hell R0=0 R1=16", Kput + Hlt, "EQ=1", "stop 0", "k=hell" },
        { "KPUT with the store unavailable", "unavailable k=old", "EQ=1 REC[0]=k REC[16]=hi R0=0 R1=16", Kput + Hlt, "EQ=0", "stop 0", "k=old" },
        { "KPUT with no store", "none", "EQ=1 REC[0]=k REC[16]=hi R0=0 R1=16", Kput + Hlt, "EQ=0", "stop 0", "" },
        { "KPUT of a value over the limit", "max=4", "EQ=1 REC[0]=k REC[16]=hello R0=0 R1=16", Kput + Hlt, "EQ=1 PC=68", "fault VALUE", "" },
        { "KPUT of 65,537 bytes with no store (the default limit)", "none", "R5=70000 REC[0]=k REC[16]=#65537 R0=0 R1=16", Aloc5 + Kput + Hlt, "PC=72", "fault VALUE", "" },
        { "KPUT of 65,536 bytes with no store", "none", "R5=70000 REC[0]=k REC[16]=#65536 R0=0 R1=16", Aloc5 + Kput + Hlt, "EQ=0", "stop 0", "" },
        { "KPUT value record past the heap", "", "REC[0]=k R0=0 R1=62", Kput + Hlt, "PC=68", "fault HEAP", "" },
        { "KPUT value longer than the heap holds", "", "REC[0]=k REC[16]=#45 R0=0 R1=16", Kput + Hlt, "PC=68", "fault HEAP", "" },
        { "KPUT value of length -1", "", "REC[0]=k REC[16]=#-1 R0=0 R1=16", Kput + Hlt, "PC=68", "fault HEAP", "" },
        { "KPUT empty key", "", "REC[0]=#0 REC[16]=hi R0=0 R1=16", Kput + Hlt, "PC=68", "fault VALUE", "" },
    };

    public static TheoryData<string, string, string, string, string, string, string> Delete => new()
    {
        { "KDEL of a key that exists", "j=1 k=v", "REC[0]=k R0=0", Kdel + Hlt, "EQ=1 PC=76", "stop 0", "j=1" },
        { "KDEL of an absent key", "j=1", "EQ=1 REC[0]=k R0=0", Kdel + Hlt, "EQ=0", "stop 0", "j=1" },
        { "KDEL with the store unavailable", "unavailable k=v", "EQ=1 REC[0]=k R0=0", Kdel + Hlt, "EQ=0", "stop 0", "k=v" },
        { "KDEL with no store", "none", "EQ=1 REC[0]=k R0=0", Kdel + Hlt, "EQ=0", "stop 0", "" },
        { "KDEL key record at a negative offset", "k=v", "R0=-4", Kdel + Hlt, "PC=68", "fault HEAP", "k=v" },
        { "KDEL 1,025-byte key", "k=v", "R5=2000 REC[0]=#1025 R0=0", Aloc5 + Kdel + Hlt, "PC=72", "fault VALUE", "k=v" },
    };

    public static TheoryData<string, string, string, string, string, string, string> CompareAndSet => new()
    {
        { "KCAS from absent when absent", "", "REC[0]=k REC[16]=#-1 REC[32]=1 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=1 PC=76", "stop 0", "k=1" },
        { "KCAS from absent when present", "k=1", "EQ=1 REC[0]=k REC[16]=#-1 REC[32]=2 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "k=1" },
        { "KCAS from the value it holds", "k=1", "REC[0]=k REC[16]=1 REC[32]=2 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=1", "stop 0", "k=2" },
        { "KCAS from another value", "k=1", "EQ=1 REC[0]=k REC[16]=3 REC[32]=4 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "k=1" },
        { "KCAS compares whole values, not prefixes", "k=12", "EQ=1 REC[0]=k REC[16]=1 REC[32]=4 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "k=12" },
        { "KCAS from an empty value is not from absent", "", "EQ=1 REC[0]=k REC[16]=#0 REC[32]=1 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "" },
        { "KCAS from an empty value it holds", "k=", "REC[0]=k REC[16]=#0 REC[32]=1 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=1", "stop 0", "k=1" },
        { "KCAS with the store unavailable", "unavailable k=1", "EQ=1 REC[0]=k REC[16]=1 REC[32]=2 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "k=1" },
        { "KCAS with no store", "none", "EQ=1 REC[0]=k REC[16]=#-1 REC[32]=1 R0=0 R1=16 R2=32", Kcas + Hlt, "EQ=0", "stop 0", "" },
        { "KCAS expected of length -2", "k=1", "REC[0]=k REC[16]=#-2 REC[32]=2 R0=0 R1=16 R2=32", Kcas + Hlt, "PC=68", "fault HEAP", "k=1" },
        { "KCAS expected past the heap", "k=1", "REC[0]=k REC[32]=2 R0=0 R1=61 R2=32", Kcas + Hlt, "PC=68", "fault HEAP", "k=1" },
        { "KCAS expected over the limit", "max=4 k=1", "REC[0]=k REC[16]=hello REC[32]=2 R0=0 R1=16 R2=32", Kcas + Hlt, "PC=68", "fault VALUE", "k=1" },
        { "KCAS new value over the limit", "max=4 k=1", "REC[0]=k REC[16]=1 REC[32]=hello R0=0 R1=16 R2=32", Kcas + Hlt, "PC=68", "fault VALUE", "k=1" },
        { "KCAS new value past the heap", "k=1", "REC[0]=k REC[16]=1 R0=0 R1=16 R2=62", Kcas + Hlt, "PC=68", "fault HEAP", "k=1" },
        { "KCAS new value of length -1", "k=1", "REC[0]=k REC[16]=1 REC[32]=#-1 R0=0 R1=16 R2=32", Kcas + Hlt, "PC=68", "fault HEAP", "k=1" },
        { "KCAS empty key", "", "REC[0]=#0 REC[16]=#-1 REC[32]=1 R0=0 R1=16 R2=32", Kcas + Hlt, "PC=68", "fault VALUE", "" },
    };

    [Theory]
    [MemberData(nameof(Get))]
    [MemberData(nameof(Put))]
    [MemberData(nameof(Delete))]
    [MemberData(nameof(CompareAndSet))]
    public void StoreInstruction(string name, string storeBefore, string setup, string code, string expect, string outcome, string storeAfter)
    {
        _ = name;
        var store = StoreFrom(storeBefore);
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }) { Store = store };
        var machine = new Machine { Output = new MemoryStream(), Runtime = store is null ? null : runtime };
        VmScenario.Apply(machine, WithRecords(machine, setup));
        machine.LoadImage(VmScenario.Image(code));
        var final = machine.Run(100_000);

        VmScenario.AssertOutcome(final, outcome);
        VmScenario.AssertState(machine, WithoutRecords(expect));
        AssertRecords(machine, expect);
        Assert.Equal(storeAfter, store?.Contents() ?? "");
        // A faulting store instruction has no effect: the store was not even asked.
        if (outcome.StartsWith("fault", StringComparison.Ordinal)) Assert.Equal(0, store?.Asked ?? 0);
        // With no store the program never becomes a process (`iridium run` keeps its fast path).
        if (store is null) Assert.Null(machine.Process);
    }

    [Fact]
    public void AnOperationThatThrows_AnswersUnavailable()
    {
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }) { Store = new ThrowingStore() };
        var machine = new Machine { Runtime = runtime };
        VmScenario.Apply(machine, WithRecords(machine, "EQ=1 REC[0]=k R0=0 R1=16 R2=8"));
        machine.LoadImage(VmScenario.Image(Kget + Kput + Hlt));
        var final = machine.Run(100_000);
        VmScenario.AssertOutcome(final, "stop 0");
        VmScenario.AssertState(machine, "EQ=0 R2=-2");
    }

    /// <summary>"none" is no store; otherwise an in-memory one holding the listed keys.</summary>
    private static FakeStore? StoreFrom(string text)
    {
        if (text == "none") return null;
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var max = words.FirstOrDefault(w => w.StartsWith("max=", StringComparison.Ordinal));
        var store = new FakeStore { MaxValueBytes = max is null ? StoreRecords.DefaultMaxValueBytes : int.Parse(max[4..], System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var word in words)
        {
            if (word == "unavailable") store.Unavailable = true;
            else if (!word.StartsWith("max=", StringComparison.Ordinal)) store.Set(word[..word.IndexOf('=')], word[(word.IndexOf('=') + 1)..]);
        }
        return store;
    }

    /// <summary>Writes the REC[n] entries into the heap (a word at a time, as SETM would) and returns the rest of the setup.</summary>
    private static string WithRecords(Machine machine, string setup)
    {
        foreach (var (at, text) in Records(setup))
        {
            var bytes = new byte[StoreRecords.LengthBytes + (text.StartsWith('#') ? 0 : text.Length)];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, text.StartsWith('#') ? int.Parse(text[1..], System.Globalization.CultureInfo.InvariantCulture) : text.Length);
            Encoding.Latin1.GetBytes(text.StartsWith('#') ? "" : text).CopyTo(bytes, StoreRecords.LengthBytes);
            Array.Resize(ref bytes, (bytes.Length + 3) / 4 * 4);
            for (int i = 0; i < bytes.Length; i += 4) Assert.True(machine.TryWriteHeapWord(at + i, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i))));
        }
        return WithoutRecords(setup);
    }

    private static void AssertRecords(Machine machine, string expect)
    {
        foreach (var (at, text) in Records(expect))
        {
            Assert.Equal(text.Length, BinaryPrimitives.ReadInt32LittleEndian(machine.Heap[at..]));
            Assert.Equal(text, Encoding.Latin1.GetString(machine.Heap.Slice(at + StoreRecords.LengthBytes, text.Length)));
        }
    }

    private static IEnumerable<(int At, string Text)> Records(string state) =>
        state.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.StartsWith("REC[", StringComparison.Ordinal))
            .Select(w => (int.Parse(w[4..w.IndexOf(']')], System.Globalization.CultureInfo.InvariantCulture), w[(w.IndexOf('=') + 1)..]));

    private static string WithoutRecords(string state) =>
        string.Join(' ', state.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("REC[", StringComparison.Ordinal)));

    private sealed class ThrowingStore : IStoreAccess
    {
        public int MaxValueBytes => StoreRecords.DefaultMaxValueBytes;

        public ValueTask<StoreReply> GetAsync(byte[] key) => ValueTask.FromException<StoreReply>(new IOException("disk gone"));

        public ValueTask<StoreReply> PutAsync(byte[] key, byte[] value) => throw new InvalidOperationException("broken");

        public ValueTask<StoreReply> DeleteAsync(byte[] key) => throw new InvalidOperationException("broken");

        public ValueTask<StoreReply> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value) => throw new InvalidOperationException("broken");
    }
}
