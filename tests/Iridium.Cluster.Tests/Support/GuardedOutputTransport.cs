using System.IO.Pipelines;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Support;

/// <summary>
/// A transport whose output notices being disposed under a writer: disposing it while a buffer
/// taken with GetSpan/GetMemory has not been advanced yet (a frame half written), or any use of
/// the output after disposal, is counted in <see cref="Violations"/>. With a real socket either
/// hands a pooled buffer back while it is written into. Every buffer taken is held a moment, so a
/// close from another thread lands inside a write often.
/// </summary>
internal sealed class GuardedOutputTransport : IConnectionTransport
{
    private readonly PipeTransport _inner;
    private readonly GuardedWriter _output;
    private int _disposed;
    private int _violations;

    public GuardedOutputTransport(PipeTransport inner)
    {
        _inner = inner;
        _output = new GuardedWriter(this, inner.Output);
    }

    /// <summary>Times the output was disposed under a write or used after disposal.</summary>
    public int Violations => Volatile.Read(ref _violations);

    public PipeReader Input => _inner.Input;
    public PipeWriter Output => _output;
    public string RemoteHost => _inner.RemoteHost;
    public string LocalHost => _inner.LocalHost;

    public void KeepAlive(TimeSpan within) => _inner.KeepAlive(within);

    public void ShutdownOutput() => _inner.ShutdownOutput();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_output.Holding) Interlocked.Increment(ref _violations);
        _inner.Dispose();
    }

    private void Used()
    {
        if (Volatile.Read(ref _disposed) != 0) Interlocked.Increment(ref _violations);
    }

    private sealed class GuardedWriter(GuardedOutputTransport owner, PipeWriter inner) : PipeWriter
    {
        private int _holding;

        public bool Holding => Volatile.Read(ref _holding) != 0;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            Take();
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            Take();
            return inner.GetSpan(sizeHint);
        }

        public override void Advance(int bytes)
        {
            owner.Used();
            inner.Advance(bytes);
            Volatile.Write(ref _holding, 0);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            owner.Used();
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        private void Take()
        {
            owner.Used();
            Volatile.Write(ref _holding, 1);
            // A frame being written takes a while: give a close on another thread its chance.
            Thread.SpinWait(200);
        }
    }
}
