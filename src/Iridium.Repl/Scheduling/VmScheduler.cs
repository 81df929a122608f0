using Iridium.Vm;

namespace Iridium.Repl.Scheduling;

/// <summary>What a spawned VM left behind: its events and (capped) output.</summary>
public sealed record SpawnOutcome(Guid VmId, IReadOnlyList<VmEvent> Events, string Output, bool OutputTruncated);

/// <summary>
/// Runs spawned VMs in the background (runtime.md §5, PROPOSED): at most <see cref="MaxConcurrent"/>
/// run at once (<c>--threads</c>), more wait their turn, and beyond <see cref="MaxQueued"/> waiting
/// a spawn is refused so remote users cannot pile up unbounded work. One scheduler serves the whole
/// process (local console and every remote session).
/// </summary>
public sealed class VmScheduler
{
    /// <summary>Spawned output kept for the report; the rest is dropped (a VM can print forever).</summary>
    public const int OutputCap = 64 * 1024;

    private readonly SemaphoreSlim _slots;
    private int _pending;   // waiting or running

    public VmScheduler(int maxConcurrent)
    {
        MaxConcurrent = Math.Max(1, maxConcurrent);
        MaxQueued = 4 * MaxConcurrent;
        _slots = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
    }

    public int MaxConcurrent { get; }
    public int MaxQueued { get; }

    /// <summary>VMs spawned and not finished yet (running or waiting).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Starts running <paramref name="image"/> on a fresh VM, or returns null when too many are
    /// already waiting. The task completes when the VM has stopped.
    /// </summary>
    public Task<SpawnOutcome>? TrySpawn(byte[] image, string? alias, long? maxSteps, out Guid vmId)
    {
        var machine = new Machine(alias: alias);
        vmId = machine.Id;
        if (Interlocked.Increment(ref _pending) > MaxConcurrent + MaxQueued)
        {
            Interlocked.Decrement(ref _pending);
            return null;
        }
        return RunAsync(machine, image, maxSteps);
    }

    private async Task<SpawnOutcome> RunAsync(Machine machine, byte[] image, long? maxSteps)
    {
        try
        {
            await _slots.WaitAsync().ConfigureAwait(false);
            try
            {
                // A VM run is CPU-bound and may be long: give it its own thread, not a pool thread.
                return await Task.Factory.StartNew(() => RunToEnd(machine, image, maxSteps),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private static SpawnOutcome RunToEnd(Machine machine, byte[] image, long? maxSteps)
    {
        var output = new CappedStream(OutputCap);
        machine.Output = output;
        machine.LoadImage(image);
        machine.Run(maxSteps);
        return new SpawnOutcome(machine.Id, machine.Events.ToArray(), output.Text(), output.Truncated);
    }

    /// <summary>Keeps the first <c>cap</c> bytes written and counts the rest as dropped.</summary>
    private sealed class CappedStream(int cap) : Stream
    {
        private readonly MemoryStream _kept = new();

        public bool Truncated { get; private set; }

        public string Text() => System.Text.Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int room = cap - (int)_kept.Length;
            if (buffer.Length > room) Truncated = true;
            _kept.Write(buffer[..Math.Min(room, buffer.Length)]);
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _kept.Length;
        public override long Position { get => _kept.Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
