namespace Iridium.Cluster.ProcessCommands;

/// <summary>What `ps` says of a group a node started for a client: its program (or command) and who asked.</summary>
internal interface IGroupOwner
{
    string Program { get; }

    /// <summary>Who asked: "client@HOST", "client@HOST via ALIAS".</summary>
    string Origin { get; }
}

/// <summary>The owner of the process that speaks for `iridium send` or `call` (a <see cref="Iridium.Vm.Correspondent"/>).</summary>
internal sealed record CommandOwner(string Program, string Origin) : IGroupOwner;
