using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Iridium.Cli.Hosting;

/// <summary>
/// Console logging for headless processes (`iridium node`, `iridium -r` without a terminal): one
/// line per event (<see cref="LogLineFormatter"/>), UTC timestamps, everything on stderr.
/// </summary>
internal static class ClusterLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        builder.AddConsole(options =>
        {
            options.LogToStandardErrorThreshold = LogLevel.Trace;
            options.FormatterName = LogLineFormatter.FormatterName;
        });
        builder.Services.AddSingleton<ConsoleFormatter>(new LogLineFormatter());
    });

    /// <summary>
    /// A writer whose lines become Information entries of <paramref name="logger"/>: how the remote
    /// REPL server, which logs to a <see cref="TextWriter"/>, joins a node's log.
    /// </summary>
    public static TextWriter Writer(ILogger logger) => new Iridium.Repl.Terminal.LineWriter(line => LogLine(logger, line));

    private static void LogLine(ILogger logger, string line)
        => logger.Log(LogLevel.Information, default, line, null, static (text, _) => text);
}
