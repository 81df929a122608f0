namespace Iridium.Vm;

/// <summary>
/// How the store instructions lay keys and values out in the heap (docs/reference/isa.md, "The
/// replicated store"): a <em>record</em> is a 4-byte little-endian length, then that many bytes.
/// The limits are the store's own: a key has 1 to 1,024 bytes whatever the node; the value limit
/// is the store's (<see cref="IStoreAccess.MaxValueBytes"/>), its default when there is no store.
/// </summary>
public static class StoreRecords
{
    /// <summary>The record's length field.</summary>
    public const int LengthBytes = 4;

    public const int MinKeyBytes = 1;

    public const int MaxKeyBytes = 1024;

    /// <summary>The store's default value limit (--store-max-value-bytes), which the VM applies when it has no store.</summary>
    public const int DefaultMaxValueBytes = 64 * 1024;

    /// <summary>KCAS's expected record with this length: the key must not exist.</summary>
    public const int AbsentLength = -1;

    /// <summary>KGET's R[c] when the key does not exist.</summary>
    public const int NotFound = -1;

    /// <summary>KGET's R[c] when the store did not answer.</summary>
    public const int Unavailable = -2;
}
