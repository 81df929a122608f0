using Iridium.Cli.Hosting;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Tests;

/// <summary>The log lines of headless processes: timestamp, level, message; no category, no event id.</summary>
public class LogLineFormatterTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static LogLineFormatter Formatter()
        => new(new FixedClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234560)));

    /// <summary>Logs through the factory `iridium node` uses, as ClusterLog's generated methods do (category, event id).</summary>
    private static string Log(LogLevel minimum, Action<ILogger> log)
    {
        var text = new StringWriter();
        using (var factory = ClusterLogging.Create(minimum, text, Formatter()))
        {
            log(factory.CreateLogger("Iridium.Cluster"));
        }
        return text.ToString();
    }

    private static void Entry(ILogger logger, LogLevel level, string message, Exception? exception = null)
        => logger.Log(level, new EventId(3, "Listening"), message, exception, (state, _) => state);

    [Fact]
    public void ALine_IsTimestampLevelAndMessage()
    {
        Assert.Equal("2025-06-01T12:00:00.123456Z info: node up: n2\n", Formatter().Format(LogLevel.Information, "node up: n2", null));
        Assert.Equal("2025-06-01T12:00:00.123456Z warn: refused\n", Formatter().Format(LogLevel.Warning, "refused", null));
    }

    [Theory]
    [InlineData(LogLevel.Debug, "<7>debug: x\n")]
    [InlineData(LogLevel.Information, "<6>info: x\n")]
    [InlineData(LogLevel.Warning, "<4>warn: x\n")]
    [InlineData(LogLevel.Error, "<3>error: x\n")]
    [InlineData(LogLevel.Critical, "<2>critical: x\n")]
    public void ForTheJournal_ALineIsSyslogPriorityLevelAndMessage_WithoutTimestamp(LogLevel level, string expected)
    {
        var journal = new LogLineFormatter(new FixedClock(DateTimeOffset.UnixEpoch), journal: true);
        Assert.Equal(expected, journal.Format(level, "x", null));
    }

    [Theory]
    [InlineData("8:12345", "socket:[12345]", true)]
    [InlineData("8:12345", "socket:[999]", false)]       // stderr sent elsewhere by a script the service ran
    [InlineData("8:12345", "/var/log/node.log", false)]
    [InlineData("8:12345", null, true)]                  // no /proc: trust the variable
    [InlineData("garbage", null, false)]
    public void TheJournalIsUsedOnlyWhenStderrIsItsStream(string variable, string? stderrTarget, bool journal)
        => Assert.Equal(journal, LogLineFormatter.IsJournalStream(variable, stderrTarget));

    [Fact]
    public void ForTheJournal_AnExceptionStillEndsItsOneLine()
    {
        var journal = new LogLineFormatter(new FixedClock(DateTimeOffset.UnixEpoch), journal: true);
        Assert.Equal("<3>error: dial failed (IOException: reset by peer)\n",
            journal.Format(LogLevel.Error, "dial\nfailed", new IOException("reset\nby peer")));
    }

    [Fact]
    public void NoCategoryOrEventNumber_AndOneLinePerEntry()
    {
        string line = Log(LogLevel.Information, logger => Entry(logger, LogLevel.Error, "two\nlines", new InvalidOperationException("why\nso")));
        Assert.DoesNotContain("Iridium.Cluster", line);
        Assert.DoesNotContain("[3]", line);
        Assert.Equal("2025-06-01T12:00:00.123456Z error: two lines (InvalidOperationException: why so)\n", line);
    }

    [Fact]
    public void EntriesBelowTheMinimum_AreNotWritten()
    {
        string text = Log(LogLevel.Information, logger =>
        {
            Entry(logger, LogLevel.Debug, "cannot reach n3");
            Entry(logger, LogLevel.Information, "node up: n2");
            Assert.False(logger.IsEnabled(LogLevel.Debug));
            Assert.True(logger.IsEnabled(LogLevel.Warning));
        });
        Assert.Equal("2025-06-01T12:00:00.123456Z info: node up: n2\n", text);
        Assert.Contains("debug: cannot reach n3", Log(LogLevel.Debug, logger => Entry(logger, LogLevel.Debug, "cannot reach n3")));
    }

    [Fact]
    public void AnEntryWithNeitherMessageNorException_WritesNothing()
        => Assert.Null(Formatter().Format(LogLevel.Information, null, null));

    [Fact]
    public void LinesFromManyThreads_StayWhole()
    {
        string text = Log(LogLevel.Information, logger =>
            Parallel.For(0, 400, i => Entry(logger, LogLevel.Information, $"entry {i} " + new string('x', 200))));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(400, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^2025-06-01T12:00:00\.123456Z info: entry \d+ x{200}$", line));
    }

    [Fact]
    public void TheDefaultFactory_WritesToStandardError()
    {
        // As `iridium node` logs: stderr gets our format, with the real clock.
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
