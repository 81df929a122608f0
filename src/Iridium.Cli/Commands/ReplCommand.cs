using System.CommandLine;
using System.CommandLine.Help;
using Iridium.Repl.Hosting;

namespace Iridium.Cli.Commands;

/// <summary>
/// The root command's own action: <c>iridium</c> with no subcommand starts the REPL (runtime.md §3),
/// and <c>-r</c> also serves it remotely (§4). Only option parsing lives here; the host is
/// <see cref="ReplHost"/>. As in the original, <c>-h</c> is <c>--bind-host</c>, so the root's help
/// is <c>--help</c> (and <c>-?</c>); subcommands keep <c>-h</c> for help.
/// </summary>
internal static class ReplCommand
{
    public static void Configure(RootCommand root)
    {
        var remote = new Option<bool>("--enable-remote-access", "-r") { Description = "Also serve the REPL to remote users over TCP (cookie authentication)." };
        var bindHost = new Option<string>("--bind-host", "-h") { Description = "Address of the remote REPL.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var bindPort = new Option<int>("--bind-port", "-p") { Description = "Port of the remote REPL.", DefaultValueFactory = _ => 2244, HelpName = "PORT", CustomParser = OptionParsers.IntInRange(0, 65535) };
        var dataRoot = new Option<string?>("--data-root-dir") { Description = "Data root (cookie, history, programs/ for remote sessions). Default: /var/lib/iridium, else ~/.local/share/iridium.", HelpName = "DIR" };
        var alias = new Option<string?>("--node-alias") { Description = "Node name in the cluster. Default: contents of ./.node_id, else a new UUID written there.", HelpName = "NAME" };
        var serverHost = new Option<string>("--server-bind-host", "-H") { Description = "Address of the cluster listener.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var serverPort = new Option<int>("--server-bind-port", "-P") { Description = "Port of the cluster listener.", DefaultValueFactory = _ => 2254, HelpName = "PORT", CustomParser = OptionParsers.IntInRange(0, 65535) };
        var threads = new Option<int>("--threads", "-t") { Description = "Spawned VMs that run at once.", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N", CustomParser = OptionParsers.IntInRange(1, 4096) };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Step budget of each run (remote sessions: default 10000000; console: unlimited).", HelpName = "N", CustomParser = OptionParsers.LongAtLeast(1) };
        var cookieFile = new Option<string?>("--cookie-file") { Description = "Cluster cookie file. Default: $IRIDIUM_COOKIE, else <data-root>/cookie.", HelpName = "PATH" };

        // Give -h to --bind-host (runtime.md §1.1): the root's help answers to --help and -? only.
        var help = root.Options.OfType<HelpOption>().Single();
        root.Options.Remove(help);
        root.Options.Add(new HelpOption("--help", "-?"));
        foreach (var option in new Option[] { remote, bindHost, bindPort, dataRoot, alias, serverHost, serverPort, threads, maxSteps, cookieFile })
            root.Options.Add(option);

        // The original's file mode: `iridium prog.iasm` runs the program, exactly as `iridium run` does.
        var program = new Argument<string?>("FILE")
        {
            Description = "Run this program instead of starting the REPL (the same as 'iridium run FILE').",
            Arity = ArgumentArity.ZeroOrOne,
        };
        root.Arguments.Add(program);

        root.SetAction(parse => parse.GetValue(program) is { } file
            ? RunCommand.Execute(file, statePath: null, parse.GetValue(maxSteps))
            : ReplHost.RunAsync(new ReplHostSettings
        {
            EnableRemoteAccess = parse.GetValue(remote),
            BindHost = parse.GetValue(bindHost)!,
            BindPort = parse.GetValue(bindPort),
            DataRootDir = parse.GetValue(dataRoot),
            NodeAlias = parse.GetValue(alias),
            ServerBindHost = parse.GetValue(serverHost)!,
            ServerBindPort = parse.GetValue(serverPort),
            Threads = parse.GetValue(threads),
            MaxSteps = parse.GetValue(maxSteps),
            CookieFile = parse.GetValue(cookieFile),
        }).GetAwaiter().GetResult());
    }
}
