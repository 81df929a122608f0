using ConsoleAppFramework;
using Iridium.Cli.Commands;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// The `iridium` command line: <see cref="CommandRouter"/> first applies the conventions the parser
/// does not know (help anywhere, version, FILE or misspelt command), then ConsoleAppFramework's
/// generated parser runs the command. Composition only: the work lives in the commands and libraries.
/// </summary>
internal static class CommandLineApp
{
    public static string VersionText => $"iridium {VersionInfo.Version}";

    public static int Run(string[] args)
    {
        switch (CommandRouter.Decide(args, path => File.Exists(path) || Directory.Exists(path)))
        {
            case Route.Version:
                Console.Out.WriteLine(VersionText);
                return ExitCodes.Ok;
            case Route.UnknownCommand unknown:
                CommandBody.ReportUsage("", $"unknown command '{unknown.Word}'; did you mean '{unknown.Suggestion}'?");
                return ExitCodes.Usage;
            case Route.RootHelp:
                Parse(["--help"], "");
                HelpEpilogue.Write(Console.Out);
                return ExitCodes.Ok;
            case Route.Parse parse:
                return Parse(parse.Args, parse.Command);
            default:
                throw new InvalidOperationException("unhandled route");
        }
    }

    private static int Parse(string[] args, string command)
    {
        ConsoleApp.Version = VersionText;
        // Only help goes through Log (version is printed by the router).
        ConsoleApp.Log = help => Console.Out.WriteLine(HelpText.Polish(help, command));
        // The parser reports unknown options and bad values here, after setting exit status 1;
        // ours is 2 for every usage error. Command bodies never let an exception reach it.
        ConsoleApp.LogError = message => CommandBody.ReportUsage(command, message);

        var app = ConsoleApp.Create();
        app.ConfigureGlobalOptions((ref ConsoleApp.GlobalOptionsBuilder builder) =>
        {
            var dataRoot = builder.AddGlobalOption<string?>("--data-root-dir", "Where the cookie, node id, REPL history and remote sessions' programs live. Default: /var/lib/iridium when writable, else ~/.local/share/iridium.");
            var cookieFile = builder.AddGlobalOption<string?>("--cookie-file", "The file holding the cluster cookie. Default: $IRIDIUM_COOKIE, else <data root>/cookie (created).");
            return new GlobalOptions(dataRoot, cookieFile);
        });
        app.Add<ReplCommand>();
        app.Add<RunCommand>();
        app.Add<AsmCommand>();
        app.Add<DisasmCommand>();
        app.Add<NodeCommand>();
        app.Add<MembersCommand>();
        app.Add<RemoteCommand>();
        app.Add<PingCommand>();
        app.Add<ExecCommand>();
        app.Add<PsCommand>();
        app.Add<KillCommand>();
        Environment.ExitCode = ExitCodes.Ok;
        app.Run(args);
        return Environment.ExitCode;
    }
}
