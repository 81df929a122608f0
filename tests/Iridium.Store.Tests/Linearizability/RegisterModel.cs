namespace Iridium.Store.Tests.Linearizability;

/// <summary>
/// The sequential specification of one key: a register that is absent or holds a string, with
/// get, put, delete and compare-and-set. <see cref="Step"/> says whether the operation, taking effect
/// on <paramref name="state"/>, could have given the output observed, and the state after it. An
/// indeterminate operation, if it takes effect at all, may have had any output.
/// </summary>
public static class RegisterModel
{
    public static bool Step(string? state, Operation op, out string? next)
    {
        next = state;
        switch (op.Kind)
        {
            case OperationKind.Get:
                return op.Observed == state;
            case OperationKind.Put:
                next = op.Value;
                return true;
            case OperationKind.Delete:
                next = null;
                return op.Indeterminate || op.Succeeded == (state is not null);
            default:
                var matches = op.Expected is null ? state is null : op.Expected == state;
                if (matches) next = op.Value;
                return op.Indeterminate || matches == op.Succeeded;
        }
    }
}
