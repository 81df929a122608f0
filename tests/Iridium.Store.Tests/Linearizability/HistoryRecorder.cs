using System.Diagnostics;

namespace Iridium.Store.Tests.Linearizability;

/// <summary>Collects operations from concurrent clients, timed by one monotonic clock.</summary>
public sealed class HistoryRecorder
{
    private readonly Lock gate = new();
    private readonly List<Operation> operations = new();

    public static long Now => Stopwatch.GetTimestamp();

    public void Add(Operation operation)
    {
        lock (gate) operations.Add(operation);
    }

    public IReadOnlyList<Operation> Operations
    {
        get { lock (gate) return operations.ToList(); }
    }
}
