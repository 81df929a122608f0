using System.Text;

namespace Iridium.Vm.Tests.Store;

/// <summary>
/// An in-memory <see cref="IStoreAccess"/> for the store instructions' tests: keys and values as
/// Latin-1 text, a switch that makes it unavailable, and a gate that holds every answer until the
/// test opens it (a slow store, to show that a waiting process holds no thread).
/// </summary>
internal sealed class FakeStore : IStoreAccess
{
    private readonly Dictionary<string, byte[]> _data = new(StringComparer.Ordinal);
    private TaskCompletionSource? _gate;
    private int _asked;
    private int _waiting;

    public int MaxValueBytes { get; init; } = StoreRecords.DefaultMaxValueBytes;

    /// <summary>Every operation answers "unavailable" (a minority side, no leader).</summary>
    public bool Unavailable { get; set; }

    /// <summary>Operations asked so far.</summary>
    public int Asked => Volatile.Read(ref _asked);

    /// <summary>Operations held at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>From now on, answers wait until <see cref="Open"/>.</summary>
    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate?.TrySetResult();

    public void Set(string key, string value)
    {
        lock (_data) _data[key] = Encoding.Latin1.GetBytes(value);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        lock (_data) return _data.TryGetValue(key, out var value) ? Encoding.Latin1.GetString(value) : null;
    }

    /// <summary>Every key=value, in key order: what a test compares.</summary>
    public string Contents()
    {
        lock (_data) return string.Join(" ", _data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Encoding.Latin1.GetString(p.Value)}"));
    }

    public ValueTask<StoreReply> GetAsync(byte[] key) => AnswerAsync(key, () =>
    {
        lock (_data) return _data.TryGetValue(Text(key), out var value) ? StoreReply.Found(value) : StoreReply.Absent;
    });

    public ValueTask<StoreReply> PutAsync(byte[] key, byte[] value) => AnswerAsync(key, () =>
    {
        Assert.True(value.Length <= MaxValueBytes, "the VM let an oversized value through");
        lock (_data) _data[Text(key)] = value;
        return StoreReply.Done;
    });

    public ValueTask<StoreReply> DeleteAsync(byte[] key) => AnswerAsync(key, () =>
    {
        lock (_data) return _data.Remove(Text(key)) ? StoreReply.Done : StoreReply.Absent;
    });

    public ValueTask<StoreReply> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value) => AnswerAsync(key, () =>
    {
        lock (_data)
        {
            bool found = _data.TryGetValue(Text(key), out var current);
            bool matches = expected is null ? !found : found && current!.AsSpan().SequenceEqual(expected);
            if (!matches) return StoreReply.Mismatch;
            _data[Text(key)] = value;
            return StoreReply.Done;
        }
    });

    private ValueTask<StoreReply> AnswerAsync(byte[] key, Func<StoreReply> operation)
    {
        Interlocked.Increment(ref _asked);
        Assert.InRange(key.Length, StoreRecords.MinKeyBytes, StoreRecords.MaxKeyBytes);
        if (_gate is { } gate) return new ValueTask<StoreReply>(AfterGateAsync(gate, operation));
        return new ValueTask<StoreReply>(Unavailable ? StoreReply.Unavailable : operation());
    }

    private async Task<StoreReply> AfterGateAsync(TaskCompletionSource gate, Func<StoreReply> operation)
    {
        Interlocked.Increment(ref _waiting);
        await gate.Task.ConfigureAwait(false);
        Interlocked.Decrement(ref _waiting);
        return Unavailable ? StoreReply.Unavailable : operation();
    }

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
