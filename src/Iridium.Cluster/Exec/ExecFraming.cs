namespace Iridium.Cluster.Exec;

/// <summary>Sizes of the exec stream: how output is cut into frames and how much may be in flight.</summary>
internal static class ExecFraming
{
    /// <summary>
    /// Most output bytes in one <see cref="Protocol.ExecOutput"/> (less when the frame cap is
    /// smaller): every frame costs a hop's worth of queueing, decoding and a credit back, so
    /// streaming speed is set by how few there are (tools/bench/exec-bench.sh: 32 KiB chunks
    /// streamed at 0.16 of the local rate). Below the large-object threshold (85000 bytes): each
    /// chunk is a fresh array on both ends, and large ones would be collected only in gen-2
    /// collections. A partly full chunk still goes out after <see cref="FlushDelay"/>.
    /// </summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>Output in flight per process (the window a client grants): several chunks, so the pipe stays full while the client writes.</summary>
    public const int DefaultWindow = 16 * ChunkBytes;

    /// <summary>Largest window a requester may grant: bounds what one process can have queued on the way.</summary>
    public const int MaxWindow = 32 * ChunkBytes;

    /// <summary>The chunk size for frames of at most <paramref name="maxFrameBytes"/>.</summary>
    public static int ChunkFor(int maxFrameBytes) => Math.Clamp(maxFrameBytes - RequestOverheadBytes, 1024, ChunkBytes);

    /// <summary>Room an <see cref="Protocol.ExecRequest"/> needs beside its image (ids, names up to 255 bytes each, headers).</summary>
    public const int RequestOverheadBytes = 4096;

    /// <summary>How long output may wait in a process's buffer before it is sent anyway (a program that prints, then computes).</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(10);
}
