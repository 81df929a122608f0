using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Iridium.Cli.Hosting;

/// <summary>
/// How `iridium node` and the headless remote REPL write their log: one line per entry,
/// <c>2025-06-01T12:00:00.000000Z info: node up: n2 ...</c>, an exception's message at the end of
/// its line. No category or event id: those are for us, not for the people reading the log
/// (the simple console formatter printed <c>Iridium.Cluster[3]</c>). Registered as an instance,
/// so nothing is bound from configuration by reflection (AOT-safe).
/// </summary>
internal sealed class LogLineFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "iridium";

    private readonly TimeProvider _clock = TimeProvider.System;

    internal LogLineFormatter(TimeProvider clock) : this() => _clock = clock;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        textWriter.Write(_clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(OneLine(message ?? ""));
        if (logEntry.Exception is { } exception) textWriter.Write($" ({exception.GetType().Name}: {OneLine(exception.Message)})");
        textWriter.Write('\n');
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "critical",
    };

    /// <summary>An entry is one line even when a message carries a line break.</summary>
    private static string OneLine(string text) => text.Contains('\n') || text.Contains('\r')
        ? text.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ')
        : text;
}
