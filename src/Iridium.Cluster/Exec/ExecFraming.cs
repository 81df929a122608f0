namespace Iridium.Cluster.Exec;

/// <summary>Sizes of the exec stream: how output is cut into frames and how much may be in flight.</summary>
internal static class ExecFraming
{
    /// <summary>Most output bytes in one <see cref="Protocol.ExecOutput"/>: big enough to amortise a frame, small enough to arrive promptly.</summary>
    public const int ChunkBytes = 32 * 1024;

    /// <summary>Output in flight per process (the window a client grants): a few chunks, so the pipe stays full while the client writes.</summary>
    public const int DefaultWindow = 8 * ChunkBytes;

    /// <summary>Largest window a requester may grant: bounds what one process can have queued on the way.</summary>
    public const int MaxWindow = 64 * ChunkBytes;

    /// <summary>Room an <see cref="Protocol.ExecRequest"/> needs beside its image (ids, names up to 255 bytes each, headers).</summary>
    public const int RequestOverheadBytes = 4096;

    /// <summary>How long output may wait in a process's buffer before it is sent anyway (a program that prints, then computes).</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(10);
}
