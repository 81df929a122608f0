using System.Diagnostics;
using Iridium.Vm;

namespace Iridium.Cli.Programs;

/// <summary>
/// Standard output of `iridium run`, buffered the way a Unix program's is: on a terminal, every
/// line is written as soon as it ends; otherwise a 64 KiB buffer is written when full, when the
/// oldest byte in it has waited <see cref="MaxDelay"/> (checked between slices of the run,
/// <see cref="FlushIfDue"/>) and at the end. So a program that prints and then computes shows its
/// output while it runs, and one that prints a lot still makes few system calls.
/// </summary>
internal sealed class RunOutput(Stream inner, bool lineBuffered) : WriteOnlyStream
{
    /// <summary>Longest a printed byte waits in the buffer while the program runs.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>What is gathered before a write when the output is not a terminal.</summary>
    public const int Capacity = 1 << 16;

    // Grows from nothing to Capacity as the program prints: a run that prints little does not
    // allocate and clear 64 KiB (16 fresh pages) before its first instruction, which was a
    // visible part of `iridium run`'s start-up (tools/bench/startup.sh).
    private byte[] _buffer = [];
    private int _count;
    private long _oldestAt;   // Stopwatch timestamp of the first byte now in the buffer

    /// <summary>
    /// Called before bytes go to the standard output while the program runs: `run` arms its
    /// signal handlers there, so that a signal sent on seeing the output is handled (a run that
    /// prints nothing until it ends never needs them). Null: nothing.
    /// </summary>
    public Action? BeforeWrite { get; set; }

    /// <summary>Standard output, line-buffered when it is a terminal.</summary>
    public static RunOutput ForStandardOutput() => new(Console.OpenStandardOutput(), lineBuffered: !Console.IsOutputRedirected);

    public override void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Capacity - _count) Flush();
        if (bytes.Length >= Capacity)
        {
            BeforeWrite?.Invoke();
            inner.Write(bytes);
            return;
        }
        if (bytes.Length > _buffer.Length - _count) Grow(_count + bytes.Length);
        if (_count == 0) _oldestAt = Stopwatch.GetTimestamp();
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
        if (lineBuffered && bytes.Contains((byte)'\n')) Flush();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    private void Grow(int needed)
    {
        var larger = new byte[Math.Min(Capacity, Math.Max(needed, Math.Max(4096, 2 * _buffer.Length)))];
        _buffer.AsSpan(0, _count).CopyTo(larger);
        _buffer = larger;
    }

    /// <summary>Between slices of the run: writes the buffer once its oldest byte has waited <see cref="MaxDelay"/>. One test when nothing is buffered.</summary>
    public void FlushIfDue()
    {
        if (_count == 0 || Stopwatch.GetElapsedTime(_oldestAt) < MaxDelay) return;
        try
        {
            Flush();
        }
        catch (IOException)
        {
            // Standard output cannot be written: the program runs on, as it would in C, and the
            // last flush reports it. Try again after another delay, not after every slice.
            _oldestAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Writes what is buffered. When that fails, the bytes stay, so the next flush fails too (and the run reports it).</summary>
    public override void Flush()
    {
        if (_count == 0) return;
        BeforeWrite?.Invoke();
        inner.Write(_buffer, 0, _count);
        _count = 0;
        inner.Flush();
    }

}
