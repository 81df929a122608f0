using Iridium.Cli.CommandLine;

namespace Iridium.Cli.Tests;

/// <summary>The generated help, as a user reads it: program name, argument names, no nullable noise.</summary>
public class HelpTextTests
{
    private const string GeneratedRunHelp = """
        Usage: run [arguments...] [options...] [-h|--help] [--version]

        Run a program.

        Arguments:
          [0] <string?>    FILE: an image or assembly source; '-' reads standard input.

        Options:
          --state-json <string?>      Write the final machine state as JSON to this file.
          --cookie-file <string>      The file holding the cluster cookie. [Default: null]
        """;

    [Fact]
    public void TheUsageLineNamesTheProgramTheCommandAndItsArguments()
    {
        string help = HelpText.Polish(GeneratedRunHelp, "run");
        Assert.Equal("Usage: iridium run FILE [options...]", help.Split('\n')[0]);
    }

    [Fact]
    public void ArgumentsAreListedByNameAndNullableNoiseIsGone()
    {
        string help = HelpText.Polish(GeneratedRunHelp, "run");
        Assert.Contains("  FILE          an image or assembly source; '-' reads standard input.", help);
        Assert.Contains("--state-json <string>", help);
        Assert.DoesNotContain("[Default: null]", help);
        Assert.DoesNotContain("?>", help);
    }

    [Fact]
    public void TheRootUsageKeepsItsCommandSlot()
    {
        string help = HelpText.Polish("Usage: [command] [options...] [-h|--help] [--version]\n\nStart the REPL.", "");
        Assert.StartsWith("Usage: iridium [command] [options...]\n", help);
    }

    [Fact]
    public void AColonInsideAnArgumentNameIsKept()
    {
        string help = HelpText.Polish("Usage: members [arguments...] [options...]\nArguments:\n  [0] <string?>    HOST:PORT: the node's cluster address.", "members");
        Assert.StartsWith("Usage: iridium members HOST:PORT [options...]", help);
    }
}
