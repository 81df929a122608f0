using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>Hands the one <see cref="LogLineLogger"/> to every category: the log shows no categories.</summary>
internal sealed class LogLineLoggerFactory(LogLineLogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    /// <summary>Log lines have one destination, chosen when the factory is made.</summary>
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the log line factory writes to one destination");

    public void Dispose()
    {
    }
}
