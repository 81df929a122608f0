namespace Iridium.Cli.CommandLine;

/// <summary>What to do with a command line, decided before the parser sees it.</summary>
internal abstract record Route
{
    /// <summary>Hand <see cref="Args"/> to the parser; <see cref="Command"/> is the command they select ("" for the REPL).</summary>
    public sealed record Parse(string[] Args, string Command) : Route;

    /// <summary>`iridium --help`: the command list, then the exit statuses.</summary>
    public sealed record RootHelp : Route;

    public sealed record Version : Route;

    /// <summary>A bare word that names no file and is one typo away from <see cref="Suggestion"/>, or `help WORD` for no command (a suggestion when one is close).</summary>
    public sealed record UnknownCommand(string Word, string? Suggestion) : Route;
}

/// <summary>
/// The conventions the parser does not know: <c>-h</c>/<c>--help</c> anywhere asks for the help of
/// the command it follows; <c>--version</c> and <c>version</c> print the version; <c>help [COMMAND]</c>
/// prints help (<c>help WORD</c> for no command is a usage error); and <c>iridium WORD ...</c> is decided as follows, because the original's
/// <c>iridium FILE</c> shares the command position with the commands:
/// <list type="number">
/// <item>a command name is always the command (run a file named <c>run</c> as <c>iridium run run</c> or <c>./run</c>);</item>
/// <item><c>-</c>, or a path that exists (file or directory), is a program: <c>iridium run WORD ...</c>, with every option <c>run</c> takes;</item>
/// <item>a bare word (letters, digits, <c>-</c>, <c>_</c>) one typo from a command name (two for names of five or more letters) is a misspelt command: exit 2, with the suggestion;</item>
/// <item>anything else is a program too, so a missing file says "cannot read FILE" (exit 66).</item>
/// </list>
/// </summary>
internal static class CommandRouter
{
    public const string Run = "run", Asm = "asm", Disasm = "disasm", Node = "node", Members = "members", Remote = "remote", Ping = "ping",
        Exec = "exec", Ps = "ps", Kill = "kill", Logs = "logs", Send = "send", Call = "call", Kv = "kv", Store = "store";
    private const string Help = "help", VersionWord = "version";

    /// <summary>Every command a user can type, as registered with the parser, plus the two words handled here.</summary>
    public static IReadOnlyList<string> CommandNames { get; } = [Run, Asm, Disasm, Node, Members, Remote, Ping, Exec, Ps, Kill, Logs, Send, Call, Kv, Store, Help, VersionWord];

    private static readonly string[] Parsed = [Run, Asm, Disasm, Node, Members, Remote, Ping, Exec, Ps, Kill, Logs, Send, Call, Kv, Store];

    /// <summary>The commands that connect to a cluster node as a client (Hosting/ClusterClientSession.cs).</summary>
    private static readonly string[] ClusterClients = [Members, Ping, Exec, Ps, Kill, Logs, Send, Call, Kv, Store];

    /// <summary>Whether <paramref name="route"/> runs a command that will connect to a cluster node (not its help).</summary>
    public static bool ConnectsToCluster(Route route)
        => route is Route.Parse parse && ClusterClients.Contains(parse.Command) && !parse.Args.Contains("--help");

    public static Route Decide(string[] args, Func<string, bool> pathExists)
    {
        int end = Array.IndexOf(args, "--");
        var head = args.AsSpan(0, end < 0 ? args.Length : end);

        if (head.Length == 0) return new Route.Parse(args, "");
        string first = head[0];
        if (first is "--version" or VersionWord) return new Route.Version();
        if (first == Help) return HelpFor(head.Length > 1 ? head[1] : null);
        if (head.Contains("-h") || head.Contains("--help")) return HelpFor(IsParsedCommand(first) ? first : IsOption(first) ? null : Run);
        if (IsParsedCommand(first) || IsOption(first)) return new Route.Parse(args, IsParsedCommand(first) ? first : "");
        if (first != "-" && !pathExists(first) && IsBareWord(first) && Nearest(first) is { } suggestion)
            return new Route.UnknownCommand(first, suggestion);
        return new Route.Parse([Run, .. args], Run);
    }

    private static Route HelpFor(string? command) => command switch
    {
        null or Help => new Route.RootHelp(),
        VersionWord => new Route.Version(),
        _ when IsParsedCommand(command) => new Route.Parse([command, "--help"], command),
        _ => new Route.UnknownCommand(command, Nearest(command)),
    };

    private static bool IsParsedCommand(string word) => Parsed.Contains(word);

    /// <summary>An option of the REPL (the root command); "-" alone is standard input, a program.</summary>
    private static bool IsOption(string word) => word.Length > 1 && word[0] == '-';

    private static bool IsBareWord(string word) => word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string? Nearest(string word) => EditDistance.Nearest(word, CommandNames);
}
