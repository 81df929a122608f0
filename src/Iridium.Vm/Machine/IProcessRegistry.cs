namespace Iridium.Vm;

/// <summary>
/// A node's process table as a host of VM runs sees it (the REPL's <c>!spawn</c>): each program it
/// runs is registered, so `iridium ps` lists it and `iridium kill` can stop it, wherever the table
/// lives (Iridium.Cluster's exec service owns it on a node).
/// </summary>
public interface IProcessRegistry
{
    /// <summary>Registers a program about to be run (queued until <see cref="IRegisteredProcess.Running"/>); <paramref name="kill"/> stops it.</summary>
    IRegisteredProcess Register(string program, string origin, Action kill);
}

/// <summary>One registered program; disposing it removes it from the table (it has ended).</summary>
public interface IRegisteredProcess : IDisposable
{
    /// <summary>ALIAS.N.</summary>
    string Id { get; }

    /// <summary>It has a VM and runs now: steps and heap are read from <paramref name="machine"/>.</summary>
    void Running(Machine machine);
}
