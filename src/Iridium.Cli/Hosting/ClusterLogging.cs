using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Iridium.Cli.Hosting;

/// <summary>Console logging for cluster commands: one line per event, UTC timestamps, everything on stderr.</summary>
internal static class ClusterLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        builder.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.ffffffZ ";
        });
    });
}
