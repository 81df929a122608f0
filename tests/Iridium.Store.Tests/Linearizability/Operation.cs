namespace Iridium.Store.Tests.Linearizability;

/// <summary>What a client asked of one key.</summary>
public enum OperationKind
{
    Get,
    Put,
    Delete,
    CompareAndSet,
}

/// <summary>
/// One client operation on one key as observed from outside: when it was called, when it returned
/// (<see cref="long.MaxValue"/> when it never returned a definite answer: a write that timed out may
/// take effect at any time after its call, or never), its input and its output. Values are strings;
/// null means "absent".
/// </summary>
public sealed record Operation(
    int Client,
    string Key,
    OperationKind Kind,
    long Call,
    long Return,
    string? Value = null,
    string? Expected = null,
    string? Observed = null,
    bool Succeeded = false)
{
    public bool Indeterminate => Return == long.MaxValue;

    public override string ToString() => Kind switch
    {
        OperationKind.Get => $"c{Client} get {Key} -> {Observed ?? "absent"}",
        OperationKind.Put => $"c{Client} put {Key}={Value}",
        OperationKind.Delete => $"c{Client} del {Key} -> {Succeeded}",
        _ => $"c{Client} cas {Key} {Expected ?? "absent"}->{Value} -> {(Indeterminate ? "?" : Succeeded)}",
    } + $" [{Call}, {(Indeterminate ? "inf" : Return)}]";
}
