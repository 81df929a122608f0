using Iridium.Cli.CommandLine;

namespace Iridium.Cli.Tests;

/// <summary>How `iridium WORD ...` is read before the parser sees it.</summary>
public class CommandRouterTests
{
    private static readonly HashSet<string> Existing = ["prog.iasm", "run", "examples", "nod"];

    private static Route Decide(params string[] args) => CommandRouter.Decide(args, Existing.Contains);

    [Fact]
    public void NoArgumentsStartTheRepl() => Assert.Equal(new Route.Parse([], ""), Decide(), RouteComparer.Instance);

    [Theory]
    [InlineData("run", "run")]
    [InlineData("node", "node")]
    [InlineData("-r", "")]
    [InlineData("--bind-port", "")]
    public void CommandsAndReplOptionsGoToTheParserAsGiven(string first, string command)
    {
        var route = Assert.IsType<Route.Parse>(Decide(first, "x"));
        Assert.Equal([first, "x"], route.Args);
        Assert.Equal(command, route.Command);
    }

    [Theory]
    [InlineData("prog.iasm")]
    [InlineData("examples")]          // a directory: run says "is a directory"
    [InlineData("nod")]               // an existing file wins over the misspelling of "node"
    [InlineData("-")]
    [InlineData("missing.iasm")]      // not a bare word: a program that cannot be read (66)
    [InlineData("dir/rnu")]
    [InlineData("xyzzy")]             // a bare word near no command: cannot read (66)
    public void AProgramRunsWithEveryRunOption(string word)
    {
        var route = Assert.IsType<Route.Parse>(Decide(word, "--max-steps", "5"));
        Assert.Equal(["run", word, "--max-steps", "5"], route.Args);
        Assert.Equal("run", route.Command);
    }

    [Theory]
    [InlineData("rnu", "run")]
    [InlineData("ndoe", "node")]
    [InlineData("membrs", "members")]
    [InlineData("REMOTE", "remote")]
    [InlineData("hlep", "help")]
    [InlineData("verison", "version")]
    public void ABareWordOneTypoFromACommandIsAMisspelling(string word, string suggestion)
        => Assert.Equal(new Route.UnknownCommand(word, suggestion), Decide(word, "file"));

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    [InlineData("help", "version")]
    public void VersionIsPrinted(params string[] args) => Assert.IsType<Route.Version>(Decide(args));

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-r", "-p", "1", "-h")]
    public void RootHelp(params string[] args) => Assert.IsType<Route.RootHelp>(Decide(args));

    [Theory]
    [InlineData("run", "run", "-h")]
    [InlineData("run", "run", "prog.iasm", "--help")]
    [InlineData("run", "prog.iasm", "-h")]
    [InlineData("node", "help", "node")]
    [InlineData("members", "members", "127.0.0.1:1", "--json", "-h")]
    public void HelpAnywhereIsTheHelpOfTheCommand(string command, params string[] args)
        => Assert.Equal(new Route.Parse([command, "--help"], command), Decide(args), RouteComparer.Instance);

    [Fact]
    public void NothingAfterADoubleDashIsReadAsHelp()
    {
        var route = Assert.IsType<Route.Parse>(Decide("run", "prog.iasm", "--", "-h"));
        Assert.Equal(["run", "prog.iasm", "--", "-h"], route.Args);
    }

    [Fact]
    public void HelpForAMisspeltCommandSuggestsTheCommand()
        => Assert.Equal(new Route.UnknownCommand("rnu", "run"), Decide("help", "rnu"));

    [Fact]
    public void HelpForAWordNoCommandIsCloseToIsAnUnknownCommandWithoutASuggestion()
        => Assert.Equal(new Route.UnknownCommand("xyzzy", null), Decide("help", "xyzzy"));

    /// <summary>Routes hold arrays, which records compare by reference.</summary>
    private sealed class RouteComparer : IEqualityComparer<Route>
    {
        public static readonly RouteComparer Instance = new();

        public bool Equals(Route? x, Route? y) => (x, y) switch
        {
            (Route.Parse a, Route.Parse b) => a.Command == b.Command && a.Args.SequenceEqual(b.Args),
            _ => object.Equals(x, y),
        };

        public int GetHashCode(Route obj) => 0;
    }

    [Theory]
    [InlineData(true, "exec", "127.0.0.1:4000", "prog.iasm")]
    [InlineData(true, "members", "127.0.0.1:4000")]
    [InlineData(true, "kv", "get", "127.0.0.1:4000", "k")]
    [InlineData(false, "run", "prog.iasm")]
    [InlineData(false, "prog.iasm")]
    [InlineData(false, "node", "-P", "4000")]
    [InlineData(false, "remote", "127.0.0.1:4000")]
    [InlineData(false, "exec", "--help")]
    public void OnlyACommandThatWillConnectToANodeHasItsConnectionKeyMadeAtStartUp(bool connects, params string[] args)
        => Assert.Equal(connects, CommandRouter.ConnectsToCluster(Decide(args)));
}
