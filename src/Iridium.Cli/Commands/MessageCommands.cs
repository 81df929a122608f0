using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>`iridium send` and `iridium call`: one message to a process from the shell, and for a call its answer.</summary>
internal sealed class MessageCommands
{
    /// <summary>Most bytes a message read from a file or standard input may have (a node takes at most its --max-message-bytes).</summary>
    private const int MaxPayloadBytes = 1 << 20;

    /// <summary>Send one message to a process: TARGET is its id (ALIAS.N, as 'iridium ps' lists it) or a name (NAME@ALIAS; NAME alone: on the contacted node). Exit 0 when it is in the mailbox, 69 when refused (no such process or name, mailbox full, member not up).</summary>
    /// <param name="target">HOST:PORT: the node to contact.</param>
    /// <param name="process">TARGET: ALIAS.N or NAME@ALIAS.</param>
    /// <param name="text">TEXT: the message, as UTF-8; '-' reads standard input. Default: an empty message.</param>
    /// <param name="file">Send the contents of this file instead of TEXT.</param>
    /// <param name="timeoutMs">Give up after this many milliseconds.</param>
    [Command(CommandRouter.Send)]
    public async Task<int> Send(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? process = null,
        [Argument, HideDefaultValue] string? text = null, [HideDefaultValue] string? file = null, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Send, () => RunAsync(context, CommandRouter.Send, target, process, text, file, timeoutMs, wantReply: false)).ConfigureAwait(false);

    /// <summary>Send one message to a process and write the first message it sends back to standard output: the process sees the caller as the sender, a handle it can answer. Exit 0; 69 when refused; 75 when no answer came within --timeout-ms.</summary>
    /// <param name="target">HOST:PORT: the node to contact.</param>
    /// <param name="process">TARGET: ALIAS.N or NAME@ALIAS.</param>
    /// <param name="text">TEXT: the message, as UTF-8; '-' reads standard input. Default: an empty message.</param>
    /// <param name="file">Send the contents of this file instead of TEXT.</param>
    /// <param name="timeoutMs">Wait this many milliseconds for the answer (and as long again to connect).</param>
    [Command(CommandRouter.Call)]
    public async Task<int> Call(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? process = null,
        [Argument, HideDefaultValue] string? text = null, [HideDefaultValue] string? file = null, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Call, () => RunAsync(context, CommandRouter.Call, target, process, text, file, timeoutMs, wantReply: true)).ConfigureAwait(false);

    private static Task<int> RunAsync(ConsoleAppContext context, string command, string? target, string? process, string? text, string? file, int timeoutMs, bool wantReply)
    {
        if (target is not null && string.IsNullOrWhiteSpace(process)) throw CommandFailure.Usage($"{command}: missing TARGET (a process id ALIAS.N or a name NAME@ALIAS)");
        if (text is not null && file is not null) throw CommandFailure.Usage($"{command}: give the message as TEXT or with --file, not both");
        byte[] payload = PayloadInput.Read(command, text, file, MaxPayloadBytes);
        return ClusterClientSession.RunAsync(context, target, "the node to contact", timeoutMs, async client =>
        {
            var result = await client.SendAsync(process!.Trim(), payload, wantReply, TimeSpan.FromMilliseconds(timeoutMs)).ConfigureAwait(false);
            switch (result.End)
            {
                case SendEnd.Queued:
                    return ExitCodes.Ok;
                case SendEnd.Answered:
                    using (var stdout = Console.OpenStandardOutput())
                    {
                        stdout.Write(result.Answer);
                        // On a terminal the prompt starts on a line of its own.
                        if (!Console.IsOutputRedirected && result.Answer is [.., not (byte)'\n']) stdout.WriteByte((byte)'\n');
                    }
                    return ExitCodes.Ok;
                case SendEnd.TimedOut:
                    Console.Error.WriteLine($"iridium: {result.Message}");
                    return ExitCodes.TempFail;
                default:
                    Console.Error.WriteLine($"iridium: {result.Message}");
                    return ExitCodes.Unavailable;
            }
        });
    }
}
