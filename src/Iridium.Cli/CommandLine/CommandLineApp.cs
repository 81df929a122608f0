using ConsoleAppFramework;
using Iridium.Cli.Commands;
using Iridium.Cli.Configuration;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// The `iridium` command line: <see cref="CommandRouter"/> first applies the conventions the parser
/// does not know (help anywhere, version, FILE or misspelt command), then ConsoleAppFramework's
/// generated parser runs the command (`node` excepted: its options come from the settings schema,
/// <see cref="NodeOptionParser"/>). Composition only: the work lives in the commands and libraries.
/// </summary>
internal static class CommandLineApp
{
    public static string VersionText => $"iridium {VersionInfo.Version}";

    /// <summary>Runs the command line; <paramref name="guardStandardOutput"/> is false only for tests that capture the console themselves.</summary>
    public static int Run(string[] args, bool guardStandardOutput = true)
    {
        var route = CommandRouter.Decide(args, path => File.Exists(path) || Directory.Exists(path));
        // A client command's connection needs an ephemeral key: it is made on a thread of its own
        // while the command parses its arguments, reads its program and connects. Nothing of the
        // handshake runs for any other command (`run` above all).
        if (CommandRouter.ConnectsToCluster(route)) Iridium.Cluster.Client.ClusterClient.PrepareToConnect();
        // Every command but the console REPL (which owns the terminal) prints text through a
        // writer that turns a failed write into exit 73.
        if (guardStandardOutput && route is not Route.Parse { Command: "" }) Console.SetOut(new StandardOutputWriter());
        switch (route)
        {
            case Route.Version:
                return CommandBody.Run("", () =>
                {
                    Console.Out.WriteLine(VersionText);
                    return ExitCodes.Ok;
                });
            case Route.UnknownCommand unknown:
                CommandBody.ReportUsage("", unknown.Suggestion is null
                    ? $"unknown command '{unknown.Word}'"
                    : $"unknown command '{unknown.Word}'; did you mean '{unknown.Suggestion}'?");
                return ExitCodes.Usage;
            case Route.Parse { Command: CommandRouter.Node } node:
                // Parsed from the settings schema, not by the generated parser (NodeOptionParser says why).
                return NodeCommand.Run(node.Args.AsSpan(1).ToArray());
            case Route.RootHelp:
                return CommandBody.Run("", () =>
                {
                    Console.Out.WriteLine(HelpText.Polish(HelpOf(""), ""));
                    HelpEpilogue.Write(Console.Out);
                    return ExitCodes.Ok;
                });
            case Route.Parse parse:
                return Parse(parse.Args, parse.Command);
            default:
                throw new InvalidOperationException("unhandled route");
        }
    }

    private static int Parse(string[] args, string command)
    {
        // Only help goes through Log (version is printed by the router).
        // The generated code catches what Log throws and reports it as a stack trace: a help that
        // cannot be written is reported here instead.
        ConsoleApp.Log = help => Environment.ExitCode = CommandBody.Run(command, () =>
        {
            Console.Out.WriteLine(HelpText.Polish(help, command));
            return ExitCodes.Ok;
        });
        // The parser reports unknown options and bad values here, after setting exit status 1;
        // ours is 2 for every usage error. Command bodies never let an exception reach it.
        ConsoleApp.LogError = message => CommandBody.ReportUsage(command, ParserMessages.Rewrite(message, () => HelpOf(command)));
        Environment.ExitCode = ExitCodes.Ok;
        Create().Run(args);
        return Environment.ExitCode;
    }

    /// <summary>The generated help of <paramref name="command"/> ("" for the REPL), captured instead of printed.</summary>
    private static string HelpOf(string command)
    {
        var log = ConsoleApp.Log;
        var help = new StringWriter();
        try
        {
            ConsoleApp.Log = text => help.Write(text);
            Create().Run(command.Length == 0 ? ["--help"] : [command, "--help"]);
        }
        finally
        {
            ConsoleApp.Log = log;
        }
        return help.ToString();
    }

    private static ConsoleApp.ConsoleAppBuilder Create()
    {
        ConsoleApp.Version = VersionText;
        var app = ConsoleApp.Create();
        app.ConfigureGlobalOptions((ref ConsoleApp.GlobalOptionsBuilder builder) =>
        {
            var dataRoot = builder.AddGlobalOption<string?>("--data-root-dir", NodeSettingsSchema.DataRootDirHelp);
            var cookieFile = builder.AddGlobalOption<string?>("--cookie-file", NodeSettingsSchema.CookieFileHelp);
            return new GlobalOptions(dataRoot, cookieFile);
        });
        app.Add<ReplCommand>();
        app.Add<RunCommand>();
        app.Add<AsmCommand>();
        app.Add<DisasmCommand>();
        // Registered for the command list of `iridium --help` only: the router hands node's own
        // arguments to NodeCommand.Run before this parser sees them.
        app.Add<NodeCommand>();
        app.Add<MembersCommand>();
        app.Add<RemoteCommand>();
        app.Add<PingCommand>();
        app.Add<ExecCommand>();
        app.Add<PsCommand>();
        app.Add<KillCommand>();
        app.Add<LogsCommand>();
        app.Add<MessageCommands>();
        app.Add<KvCommands>();
        app.Add<StoreCommands>();
        return app;
    }
}
