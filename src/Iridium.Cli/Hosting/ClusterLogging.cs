using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// Logging for headless processes (`iridium node`, `iridium -r` without a terminal): one line per
/// event (<see cref="LogLineFormatter"/>), UTC timestamps (syslog priorities instead under
/// systemd's journal), everything on stderr. Our own small
/// logger rather than Microsoft.Extensions.Logging's console provider: that brought dependency
/// injection, options binding, reflection and a queue thread into the image, and every process,
/// `iridium run` included, paid for their size at start-up.
/// </summary>
internal static class ClusterLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => Create(minimum, Console.Error, LogLineFormatter.ForThisProcess());

    public static ILoggerFactory Create(LogLevel minimum, TextWriter output, LogLineFormatter formatter)
        => new LogLineLoggerFactory(new LogLineLogger(minimum, output, formatter));

    /// <summary>
    /// A writer whose lines become Information entries of <paramref name="logger"/>: how the remote
    /// REPL server, which logs to a <see cref="TextWriter"/>, joins a node's log.
    /// </summary>
    public static TextWriter Writer(ILogger logger) => new Iridium.Repl.Terminal.LineWriter(line => LogLine(logger, line));

    private static void LogLine(ILogger logger, string line)
        => logger.Log(LogLevel.Information, default, line, null, static (text, _) => text);
}
