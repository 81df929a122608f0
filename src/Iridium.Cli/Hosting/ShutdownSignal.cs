using System.Runtime.InteropServices;

namespace Iridium.Cli.Hosting;

/// <summary>
/// SIGINT or SIGTERM as a token, for a process that serves until it is told to stop (the headless
/// remote REPL) or a run that must end cleanly (`run`, which then flushes its output and exits 130). The signal's default action,
/// ending the process at once, is replaced by a clean stop once armed.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private PosixSignalRegistration? _sigint;
    private PosixSignalRegistration? _sigterm;

    /// <param name="armed">False: SIGINT and SIGTERM keep their default action until <see cref="Arm"/>.</param>
    public ShutdownSignal(bool armed = true)
    {
        if (armed) Arm();
    }

    /// <summary>
    /// Replaces the default action of SIGINT and SIGTERM with the clean stop; once armed, nothing.
    /// Any thread may call it. The first registration starts the runtime's signal-handling thread,
    /// which costs a process that ends at once a visible part of its start-up (creating the
    /// thread, and ending it at exit): `run` arms only a program that goes on
    /// (tools/bench/startup.sh measures start-up).
    /// </summary>
    public void Arm()
    {
        lock (_stop)
        {
            if (_sigint is not null) return;
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        }
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Completes when the signal came.</summary>
    public async Task WaitAsync()
    {
        try
        {
            await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        lock (_stop)
        {
            _sigint?.Dispose();
            _sigterm?.Dispose();
        }
        _stop.Dispose();
    }
}
