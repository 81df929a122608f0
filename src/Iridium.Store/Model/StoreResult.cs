namespace Iridium.Store.Model;

/// <summary>What applying a write did, as every voter computes it from the log.</summary>
public enum StoreOutcome : byte
{
    /// <summary>The put was stored, the key deleted, or the compare-and-set swapped.</summary>
    Done = 1,
    /// <summary>A delete of a key that did not exist.</summary>
    NotFound = 2,
    /// <summary>A compare-and-set whose expected value did not match.</summary>
    Mismatch = 3,
    /// <summary>The log entry was not a command this version understands; nothing changed.</summary>
    Malformed = 4,
}

/// <summary>An applied write's outcome and the revision (log index) it was applied at.</summary>
public readonly record struct StoreResult(StoreOutcome Outcome, long Revision)
{
    public bool Succeeded => Outcome == StoreOutcome.Done;
}

/// <summary>A key's value and the revision of the write that set it.</summary>
public sealed record StoredValue(byte[] Value, long Revision);
