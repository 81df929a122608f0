using System.Runtime.InteropServices;

namespace Iridium.Repl.Console;

/// <summary>
/// Ctrl-C for the interactive front ends, the console REPL and <c>iridium remote</c>. While a line
/// runs, SIGINT interrupts that line (the console stops its VM run, the remote client sends the
/// session an interrupt) instead of ending the process. At the prompt nothing changes: the line
/// editor reads Ctrl-C as a key and abandons the line being typed. A line still running at the
/// <see cref="PressesToQuit"/>th Ctrl-C is past helping (a server that does not answer): that press
/// ends the process as Ctrl-C always did, with status 130.
/// </summary>
public sealed class InterruptKey : IDisposable
{
    public const int PressesToQuit = 3;

    private readonly PosixSignalRegistration? _sigint;
    private Action? _interrupt;
    private int _presses;

    /// <param name="listen">False for tests, which call <see cref="Press"/> themselves.</param>
    public InterruptKey(bool listen = true)
    {
        if (listen) _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = Press());
    }

    /// <summary>Makes Ctrl-C call <paramref name="interrupt"/> until the result is disposed (the line has ended).</summary>
    public IDisposable WhileRunning(Action interrupt)
    {
        Volatile.Write(ref _presses, 0);
        Volatile.Write(ref _interrupt, interrupt);
        return new Running(this, interrupt);
    }

    /// <summary>One Ctrl-C (SIGINT): true when it interrupted a line, false when the process should end as it would without us.</summary>
    public bool Press()
    {
        // No line runs (connecting, logging in): Ctrl-C ends the process, as it always did.
        if (Volatile.Read(ref _interrupt) is not { } interrupt) return false;
        if (Interlocked.Increment(ref _presses) >= PressesToQuit) return false;
        interrupt();
        return true;
    }

    public void Dispose() => _sigint?.Dispose();

    private sealed class Running(InterruptKey key, Action interrupt) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref key._interrupt, null, interrupt);
    }
}
