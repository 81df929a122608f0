using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// How `iridium node` and the headless remote REPL write their log: one line per entry,
/// <c>2025-06-01T12:00:00.000000Z info: node up: n2 ...</c>, an exception's message at the end of
/// its line. No category or event id: those are for us, not for the people reading the log.
/// </summary>
internal sealed class LogLineFormatter(TimeProvider clock)
{
    public LogLineFormatter() : this(TimeProvider.System)
    {
    }

    /// <summary>The entry as one line ending in '\n', or null when it has neither a message nor an exception.</summary>
    public string? Format(LogLevel level, string? message, Exception? exception)
    {
        if (message is null && exception is null) return null;
        string timestamp = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
        string cause = exception is null ? "" : $" ({exception.GetType().Name}: {OneLine(exception.Message)})";
        return $"{timestamp} {Level(level)}: {OneLine(message ?? "")}{cause}\n";
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
