namespace Iridium.Vm;

/// <summary>
/// Selects, at compile time, whether the dispatch loop counts steps. The loop is generic over a
/// struct implementing this, so the JIT/ILC emits two specialised copies and the unbounded one
/// pays nothing for the budget check.
/// </summary>
internal interface IStepBudget
{
    static abstract bool IsBounded { get; }
}

internal struct UnboundedSteps : IStepBudget
{
    public static bool IsBounded => false;
}

internal struct BoundedSteps : IStepBudget
{
    public static bool IsBounded => true;
}
