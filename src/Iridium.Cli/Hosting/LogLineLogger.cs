using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// Writes every entry at or above <paramref name="minimum"/> to <paramref name="output"/> as one
/// <see cref="LogLineFormatter"/> line, written whole and at once, so lines from several threads
/// never interleave and none is lost when the process exits. Categories, event ids and scopes are
/// not shown, so one logger serves every category (<see cref="LogLineLoggerFactory"/>).
/// </summary>
internal sealed class LogLineLogger(LogLevel minimum, TextWriter output, LogLineFormatter lines) : ILogger
{
    private readonly Lock _gate = new();

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        if (lines.Format(logLevel, formatter(state, exception), exception) is not { } line) return;
        lock (_gate)
        {
            output.Write(line);
            output.Flush();
        }
    }
}
