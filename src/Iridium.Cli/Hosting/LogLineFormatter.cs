using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// How `iridium node` and the headless remote REPL write their log: one line per entry,
/// <c>2025-06-01T12:00:00.000000Z info: node up: n2 ...</c>, an exception's message at the end of
/// its line. No category or event id: those are for us, not for the people reading the log.
/// Under systemd (<see cref="Journal"/>) a line is <c>&lt;6&gt;info: node up: n2 ...</c> instead:
/// journald stamps every line itself and reads the <c>&lt;N&gt;</c> prefix as its syslog priority.
/// </summary>
internal sealed class LogLineFormatter(TimeProvider clock, bool journal = false)
{
    /// <summary>Set by systemd to DEVICE:INODE of the journal stream it gave the service (systemd.exec(5)).</summary>
    public const string JournalStreamVariable = "JOURNAL_STREAM";

    public LogLineFormatter() : this(TimeProvider.System)
    {
    }

    /// <summary>Lines for journald when stderr is the journal stream, else timestamped lines.</summary>
    public static LogLineFormatter ForThisProcess()
    {
        string? stream = Environment.GetEnvironmentVariable(JournalStreamVariable);
        return new(TimeProvider.System, journal: !string.IsNullOrEmpty(stream) && IsJournalStream(stream, StderrTarget()));
    }

    /// <summary>
    /// True when stderr is the stream <paramref name="journalStream"/> names. The variable is
    /// inherited by everything the service starts, also by a process whose stderr a script sent
    /// to a file, so the inode is compared with what stderr is: <paramref name="stderrTarget"/>,
    /// the link /proc/self/fd/2 (<c>socket:[INODE]</c> for the journal). Without /proc (null)
    /// the variable is trusted.
    /// </summary>
    public static bool IsJournalStream(string journalStream, string? stderrTarget)
    {
        int colon = journalStream.IndexOf(':');
        if (colon < 0) return false;
        return stderrTarget is null || stderrTarget == $"socket:[{journalStream[(colon + 1)..]}]";
    }

    private static string? StderrTarget()
    {
        try
        {
            return new FileInfo("/proc/self/fd/2").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when lines carry syslog priorities and no timestamp (for journald).</summary>
    public bool Journal => journal;

    /// <summary>The entry as one line ending in '\n', or null when it has neither a message nor an exception.</summary>
    public string? Format(LogLevel level, string? message, Exception? exception)
    {
        if (message is null && exception is null) return null;
        string cause = exception is null ? "" : $" ({exception.GetType().Name}: {OneLine(exception.Message)})";
        if (journal) return $"<{SyslogPriority(level)}>{Level(level)}: {OneLine(message ?? "")}{cause}\n";
        string timestamp = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
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

    /// <summary>syslog(3) priorities, as sd-daemon(3)'s SD_ERR, SD_WARNING, ... prefixes.</summary>
    private static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    /// <summary>An entry is one line even when a message carries a line break.</summary>
    private static string OneLine(string text) => text.Contains('\n') || text.Contains('\r')
        ? text.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ')
        : text;
}
