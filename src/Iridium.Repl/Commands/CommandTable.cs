using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary>Every REPL command by name; the REPL dispatches from here and <c>!help</c> lists it.</summary>
internal static class CommandTable
{
    public static IReadOnlyList<ReplCommand> All { get; } =
    [
        new HelpCommand(),
        new QuitCommand(),
        new HistoryCommand(),
        new ProgramCommand(),
        new ClearProgramCommand(),
        new ClearRegistersCommand(),
        new RegistersCommand(),
        new SymbolsCommand(),
        new LoadFileCommand(),
        new ContinueCommand(),
        new SpawnCommand(),
        new StartClusterCommand(),
        new JoinClusterCommand(),
        new ClusterMembersCommand(),
        new ExecClusterCommand(),
        new ProcessesCommand(),
        new KillProcessCommand(),
        new LogsCommand(),
    ];

    private static readonly Dictionary<string, ReplCommand> s_byName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out ReplCommand command) => s_byName.TryGetValue(name, out command!);

    public static ValueTask<ReplOutcome> DispatchAsync(ReplSession session, string line, CancellationToken cancellation)
    {
        var arguments = CommandArguments.Parse(line);
        if (!TryGet(arguments.Name, out var command))
        {
            session.Say($"unknown command {arguments.Name}; type !help for the list of commands");
            return ValueTask.FromResult(ReplOutcome.Continue);
        }
        if (session.Options.IsRemote && !command.AllowedRemotely)
        {
            session.Say($"{command.Name} is not available in a remote session: a remote session has no node identity");
            return ValueTask.FromResult(ReplOutcome.Continue);
        }
        return command.RunAsync(session, arguments, cancellation);
    }
}
