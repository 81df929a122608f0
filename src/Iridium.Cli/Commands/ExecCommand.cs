using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>`iridium exec HOST:PORT FILE [--on ALIAS|any|all]`: run a program on a cluster member, its output streamed back.</summary>
internal sealed class ExecCommand
{
    /// <summary>Run a program on a cluster node; its output arrives as it is printed and the exit status is the program's (as 'iridium run'), 130 after Ctrl-C, 143 when killed, 69 when a node is lost.</summary>
    /// <param name="target">HOST:PORT: the node to contact.</param>
    /// <param name="file">FILE: assembly source (assembled here) or an image; the image is sent, never the path.</param>
    /// <param name="on">Where to run: a member's alias, 'any' (the least busy member) or 'all' (every up member; lines prefixed '[alias] '). Default: the contacted node.</param>
    /// <param name="maxSteps">End the run with Crash{9} (STEPS) after this many instructions (the node may cap it lower).</param>
    /// <param name="stateJson">Write the final machine state as JSON to this file, as 'iridium run' does; with --on all, an object keyed by alias.</param>
    /// <param name="detach">Start the program and leave it running: print the id of its root (ALIAS.N, one line per target) and exit 0; 'iridium logs' shows its output.</param>
    /// <param name="timeoutMs">Give up connecting to the node after this many milliseconds.</param>
    [Command(CommandRouter.Exec)]
    public async Task<int> Exec(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? file = null,
        [HideDefaultValue] string? on = null, [HideDefaultValue] long? maxSteps = null, [HideDefaultValue] string? stateJson = null, bool detach = false,
        int timeoutMs = Defaults.ClientTimeoutMs, CancellationToken cancellationToken = default)
        => await CommandBody.RunAsync(CommandRouter.Exec, async () =>
        {
            if (target is not null && file is null) throw CommandFailure.Usage("exec: missing FILE (the program to run)");
            if (maxSteps is < 0) throw CommandFailure.Usage($"--max-steps must be a whole number 0 or more, not {maxSteps}");
            if (on is { Length: 0 }) throw CommandFailure.Usage("--on needs an alias, 'any' or 'all'");
            if (detach && stateJson is not null) throw CommandFailure.Usage("--state-json needs the program's end, which --detach does not wait for");
            Hosting.FlagRules.Address(target, "the node to contact");
            var input = ProgramInput.Read(file!);
            byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
            if (image is null) return ExitCodes.InvalidProgram;
            if (image.Length > Defaults.ExecMaxImageBytes)
                throw new CommandFailure(ExitCodes.InvalidProgram, $"{input.DisplayName}: the image is {image.Length} bytes; exec sends at most {Defaults.ExecMaxImageBytes}");
            var spec = new ExecSpec(Path.GetFileName(input.DisplayName), image, maxSteps, stateJson is not null, detach);

            // One target: the request goes out with the handshake. Every member: the list comes first.
            var atConnect = on == ExecTargets.All ? null : new ExecAtConnect(spec, on);
            return await ClusterClientSession.RunAsync(context, target, "the node to contact", timeoutMs, async client =>
            {
                var targets = client.ExecTargetsAtConnect ?? await ExecTargets.ResolveAsync(client, on).ConfigureAwait(false);
                using var stdout = Console.OpenStandardOutput();
                var writer = new ExecOutputWriter(stdout, prefixed: on == ExecTargets.All, targets.Count);
                var results = atConnect is not null
                    ? await client.ExecAtConnectAsync(writer.Write, cancellationToken).ConfigureAwait(false)
                    : await client.ExecAsync(targets, spec, writer.Write, cancellationToken).ConfigureAwait(false);
                if (detach) return Detached(results);
                writer.Finish(results);
                if (stateJson is not null) ExecStateJson.Write(stateJson, results, keyedByAlias: on == ExecTargets.All);
                return results.Max(result => StatusOf(result, on == ExecTargets.All));
            }, atConnect).ConfigureAwait(false);
        }).ConfigureAwait(false);

    /// <summary>`--detach`: the id of each root that started, a line each; 0 when all started, else the first failure's status.</summary>
    private static int Detached(IReadOnlyList<ExecResult> results)
    {
        int status = ExitCodes.Ok;
        foreach (var result in results)
        {
            if (result.End == ExecEnd.Detached) Console.Out.WriteLine(result.ProcessId);
            else if (StatusOf(result, results.Count > 1) is var failed && status == ExitCodes.Ok) status = failed;
        }
        return status;
    }

    /// <summary>The exit status a result stands for, after saying on stderr why when it is not the program's own.</summary>
    private static int StatusOf(ExecResult result, bool prefixed)
    {
        string where = prefixed ? $"[{result.Alias ?? result.Target}] " : "";
        if (result.Message is { Length: > 0 } message && result.End != ExecEnd.Stopped) Console.Error.WriteLine($"iridium: {where}{message}");
        return result.End switch
        {
            ExecEnd.Stopped => ProgramStatus.Of(Iridium.Vm.VmEventKind.GracefulStop, result.Code),
            ExecEnd.Crashed => ProgramStatus.Of(Iridium.Vm.VmEventKind.Crash, result.Code),
            ExecEnd.Interrupted => ExitCodes.Interrupted,
            ExecEnd.Killed => ExitCodes.Killed,
            _ => ExitCodes.Unavailable,
        };
    }
}
