namespace Iridium.Store;

/// <summary>
/// The store could not answer: no leader, no majority, or no answer within the store timeout. For a
/// write this means it may or may not have happened (docs/reference/runtime.md, "The replicated store").
/// </summary>
public sealed class StoreUnavailableException(string message) : Exception(message);
