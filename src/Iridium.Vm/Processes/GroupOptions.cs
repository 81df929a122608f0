namespace Iridium.Vm;

/// <summary>
/// What a host says about a group it starts on the scheduler (<see cref="ProcessRuntime.Start"/>):
/// the budget of its members and where it hears of the root's start and end. A node's exec uses
/// them; `iridium run` needs none.
/// </summary>
public sealed record GroupOptions
{
    /// <summary>The step budget of each member (an exec's --max-steps); null: the runtime's.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>What the host knows of the group (an exec request); see <see cref="ProcessGroup.Owner"/>.</summary>
    public object? Owner { get; init; }

    /// <summary>
    /// Called once the root has its id and before it runs its first instruction: where a host
    /// announces the group, so that nothing the group prints or does comes before.
    /// </summary>
    public Action<Process>? Started { get; init; }

    /// <summary>
    /// Called on the thread that ends the root, before its VM lets go of its heap, with how its
    /// run ended (null when it was killed between slices): where a host reads the root's final
    /// state (an exec's exit and state JSON).
    /// </summary>
    public Action<Process, ExecutionResult?>? RootEnding { get; init; }
}
