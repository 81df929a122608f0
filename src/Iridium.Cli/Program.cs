using Iridium.Cli.CommandLine;

namespace Iridium.Cli;

internal static class Program
{
    private static int Main(string[] args) => CommandLineApp.Run(args);
}
