using Iridium.Cli.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Cli.Tests;

/// <summary>The log lines of headless processes: timestamp, level, message; no category, no event id.</summary>
public class LogLineFormatterTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Format(LogLevel level, string message, Exception? exception = null)
    {
        var formatter = new LogLineFormatter(new FixedClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234560)));
        var entry = new LogEntry<string>(level, "Iridium.Cluster", new EventId(3, "Listening"), message, exception, (state, _) => state);
        var text = new StringWriter();
        formatter.Write(entry, null, text);
        return text.ToString();
    }

    [Fact]
    public void ALine_IsTimestampLevelAndMessage()
    {
        Assert.Equal("2025-06-01T12:00:00.123456Z info: node up: n2\n", Format(LogLevel.Information, "node up: n2"));
        Assert.Equal("2025-06-01T12:00:00.123456Z warn: refused\n", Format(LogLevel.Warning, "refused"));
    }

    [Fact]
    public void NoCategoryOrEventNumber_AndOneLinePerEntry()
    {
        string line = Format(LogLevel.Error, "two\nlines", new InvalidOperationException("why\nso"));
        Assert.DoesNotContain("Iridium.Cluster", line);
        Assert.DoesNotContain("[3]", line);
        Assert.Equal("2025-06-01T12:00:00.123456Z error: two lines (InvalidOperationException: why so)\n", line);
    }

    [Fact]
    public void TheLoggerFactory_UsesIt()
    {
        // Through the real console logger, as `iridium node` logs: stderr gets our format.
        var saved = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            using (var factory = ClusterLogging.Create(LogLevel.Information))
            {
                ClusterLogging.Writer(factory.CreateLogger("Iridium.Repl.Remote")).WriteLine("remote REPL listening on 127.0.0.1:1 {not a template}");
            }
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info: remote REPL listening on 127\.0\.0\.1:1 \{not a template\}\n$", captured.ToString());
    }
}
