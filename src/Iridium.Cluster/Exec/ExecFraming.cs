namespace Iridium.Cluster.Exec;

/// <summary>Sizes of the exec stream: how output is cut into frames and how much may be in flight.</summary>
internal static class ExecFraming
{
    /// <summary>
    /// Most output bytes in one <see cref="Protocol.ExecOutput"/> (less when the frame cap is
    /// smaller): every frame costs each hop a wake-up, a read and a write, so streaming speed is
    /// set by how few there are (tools/bench/exec-bench.sh, relayed: 32 KiB chunks 0.16 of the
    /// local rate, 64 KiB 0.37, 256 KiB 0.43 before chunks were pooled). Chunks are large objects
    /// to the collector, so none is allocated per frame: the sender reuses its chunks
    /// (<see cref="ProcessOutput.Recycle"/>) and receivers read into pooled buffers
    /// (<see cref="Protocol.OutputChunk"/>). A partly full chunk still goes out after <see cref="FlushDelay"/>.
    /// </summary>
    public const int ChunkBytes = 256 * 1024;

    /// <summary>Output in flight per process (the window a client grants): several chunks, so the pipe stays full while the client writes.</summary>
    public const int DefaultWindow = 4 * ChunkBytes;

    /// <summary>Largest window a requester may grant: bounds what one process can have queued on the way.</summary>
    public const int MaxWindow = 8 * ChunkBytes;

    /// <summary>The chunk size for frames of at most <paramref name="maxFrameBytes"/>.</summary>
    public static int ChunkFor(int maxFrameBytes) => Math.Clamp(maxFrameBytes - RequestOverheadBytes, 1024, ChunkBytes);

    /// <summary>
    /// The chunk size for a process granted <paramref name="window"/>: a quarter of it at most, so
    /// a node that relays can keep chunks within its own frame cap by forwarding a smaller window
    /// (<see cref="WindowFor"/>), whatever cap the target runs with.
    /// </summary>
    public static int ChunkFor(int maxFrameBytes, int window) => Math.Min(ChunkFor(maxFrameBytes), Math.Max(window / 4, 1));

    /// <summary>The largest window whose chunks fit in frames of at most <paramref name="maxFrameBytes"/>.</summary>
    public static int WindowFor(int maxFrameBytes) => 4 * ChunkFor(maxFrameBytes);

    /// <summary>Room an <see cref="Protocol.ExecRequest"/> needs beside its image (ids, names up to 255 bytes each, headers).</summary>
    public const int RequestOverheadBytes = 4096;

    /// <summary>How long output may wait in a process's buffer before it is sent anyway (a program that prints, then computes).</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(10);
}
