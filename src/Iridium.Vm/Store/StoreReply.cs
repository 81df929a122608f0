namespace Iridium.Vm;

/// <summary>How the store answered one operation of a store instruction.</summary>
public enum StoreAnswer : byte
{
    /// <summary>KGET found the key; KPUT, KDEL or KCAS was acknowledged.</summary>
    Done,
    /// <summary>KGET or KDEL: the key does not exist.</summary>
    Absent,
    /// <summary>KCAS: the key did not hold the expected value; nothing changed.</summary>
    Mismatch,
    /// <summary>No answer within the store's timeout (or no store here): a write may or may not have happened.</summary>
    Unavailable,
}

/// <summary>The store's answer, and for a KGET that found its key the value.</summary>
public readonly record struct StoreReply(StoreAnswer Answer, byte[]? Value = null)
{
    public static StoreReply Done => new(StoreAnswer.Done);

    public static StoreReply Absent => new(StoreAnswer.Absent);

    public static StoreReply Mismatch => new(StoreAnswer.Mismatch);

    public static StoreReply Unavailable => new(StoreAnswer.Unavailable);

    public static StoreReply Found(byte[] value) => new(StoreAnswer.Done, value);
}
