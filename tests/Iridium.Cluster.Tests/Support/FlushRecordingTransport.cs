using System.IO.Pipelines;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Support;

/// <summary>An in-memory end whose output records how many bytes each flush sent.</summary>
internal sealed class FlushRecordingTransport(PipeTransport inner) : IConnectionTransport
{
    private readonly RecordingWriter _output = new(inner.Output);

    public List<long> Flushes => _output.Flushes;
    public PipeReader Input => inner.Input;
    public PipeWriter Output => _output;
    public string RemoteHost => inner.RemoteHost;
    public string LocalHost => inner.LocalHost;
    public void KeepAlive(TimeSpan within) => inner.KeepAlive(within);
    public void ShutdownOutput() => inner.ShutdownOutput();
    public void Dispose() => inner.Dispose();

    private sealed class RecordingWriter(PipeWriter inner) : PipeWriter
    {
        private long _unflushed;

        public List<long> Flushes { get; } = [];

        public override void Advance(int bytes)
        {
            _unflushed += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken ct = default)
        {
            lock (Flushes) Flushes.Add(_unflushed);
            _unflushed = 0;
            return inner.FlushAsync(ct);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
