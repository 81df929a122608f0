namespace Iridium.Store.Model;

/// <summary>
/// The sizes a key and a value may have (docs/reference/runtime.md, "The replicated store"). A node
/// refuses an oversized key or value before it proposes anything; the state machine checks only
/// <see cref="HardMaxValueBytes"/>, the same on every node, so that every voter applies the same log
/// the same way whatever its own <see cref="MaxValueBytes"/> setting.
/// </summary>
public sealed class StoreLimits
{
    public const int MinKeyBytes = 1;
    public const int MaxKeyBytes = 1024;
    public const int DefaultMaxValueBytes = 64 * 1024;

    /// <summary>The largest value any node may be configured to accept.</summary>
    public const int HardMaxValueBytes = 16 * 1024 * 1024;

    public int MaxValueBytes { get; init; } = DefaultMaxValueBytes;

    /// <summary>Null when the key and value (if any) are within the limits, else the message for the user.</summary>
    public string? Problem(ReadOnlySpan<byte> key, int? valueBytes = null)
    {
        if (key.Length < MinKeyBytes) return "store: a key must have at least 1 byte";
        if (key.Length > MaxKeyBytes)
            return $"store: the key has {key.Length} bytes, more than the limit of {MaxKeyBytes}";
        if (valueBytes is { } n && n > MaxValueBytes)
            return $"store: the value has {n} bytes, more than the limit of {MaxValueBytes} (--store-max-value-bytes)";
        return null;
    }
}
