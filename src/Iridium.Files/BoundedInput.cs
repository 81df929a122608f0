using System.Text;

namespace Iridium.Files;

/// <summary>
/// Reads a whole input (a file a user names, or standard input) without trusting anything about
/// it: the size is enforced while reading, not taken from the reported length (which is 0 for
/// <c>/dev/zero</c>, <c>/proc</c> files and pipes), and a path that blocks (a FIFO with no writer,
/// a device that never answers) gives up after <see cref="DefaultWait"/> instead of hanging.
/// Every failure is an <see cref="InputFileException"/> carrying the reason.
/// </summary>
public static class BoundedInput
{
    /// <summary>How long a path that is not a non-empty regular file may take to be opened and read.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bytes of <paramref name="path"/>, at most <paramref name="maxBytes"/>. A regular file
    /// with a non-zero length (every ordinary program or config) is read on this thread; anything
    /// reporting length 0 (an empty file, a FIFO, a device, a <c>/proc</c> file) is opened and read
    /// on a worker thread that is abandoned after <paramref name="wait"/>, since open(2) of a FIFO
    /// blocks until a writer appears and nothing can interrupt it.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, TimeSpan? wait = null)
    {
        FileInfo info;
        try
        {
            if (Directory.Exists(path)) throw new InputFileException("is a directory");
            info = new FileInfo(path);
            if (!info.Exists)
            {
                string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
                throw new InputFileException(parent is null || Directory.Exists(parent) ? "no such file" : "no such directory");
            }
            if (info.Length > maxBytes) throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InputFileException(e.Message);
        }
        if (info.Length > 0) return ReadOpened(path, maxBytes, info.Length);

        TimeSpan limit = wait ?? DefaultWait;
        var reading = new Task<byte[]>(() => ReadOpened(path, maxBytes, 0), TaskCreationOptions.LongRunning);
        reading.Start();
        try
        {
            if (!reading.Wait(limit))
                throw new InputFileException($"nothing to read after {limit.TotalSeconds:0.#} s (a FIFO with no writer, or a device that does not answer)");
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException is InputFileException ? e.InnerException : new InputFileException(e.InnerException.Message);
        }
        return reading.Result;
    }

    /// <summary><see cref="ReadAllBytes(string, long, TimeSpan?)"/> decoded as UTF-8 (a byte-order mark is dropped; invalid bytes become U+FFFD).</summary>
    public static string ReadAllText(string path, long maxBytes, TimeSpan? wait = null) => Decode(ReadAllBytes(path, maxBytes, wait));

    /// <summary>Everything <paramref name="stream"/> holds up to its end, at most <paramref name="maxBytes"/> (standard input: no time limit, a person may be typing).</summary>
    public static byte[] ReadAllBytes(Stream stream, long maxBytes)
    {
        try
        {
            return ReadCapped(stream, maxBytes, 0);
        }
        catch (Exception e) when (e is IOException and not InputFileException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InputFileException(e.Message);
        }
    }

    /// <summary>UTF-8 text without its byte-order mark.</summary>
    public static string Decode(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[Encoding.UTF8.Preamble.Length..];
        return Encoding.UTF8.GetString(span);
    }

    private static byte[] ReadOpened(string path, long maxBytes, long lengthHint)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            return ReadCapped(stream, maxBytes, lengthHint);
        }
        catch (FileNotFoundException)
        {
            throw new InputFileException("no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new InputFileException("no such directory");
        }
        catch (Exception e) when (e is IOException and not InputFileException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InputFileException(e.Message);
        }
    }

    /// <summary>Reads to the end, failing as soon as one byte more than <paramref name="maxBytes"/> has arrived.</summary>
    private static byte[] ReadCapped(Stream stream, long maxBytes, long lengthHint)
    {
        // One byte past the cap tells "exactly the cap" from "more than the cap".
        long limit = maxBytes + 1;
        var buffer = new byte[(int)Math.Min(limit, Math.Max(lengthHint + 1, 4096))];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled >= limit) throw TooLarge(maxBytes);
                Array.Resize(ref buffer, (int)Math.Min(limit, Math.Max(2L * buffer.Length, 4096)));
            }
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) break;
            filled += read;
        }
        if (filled > maxBytes) throw TooLarge(maxBytes);
        Array.Resize(ref buffer, filled);
        return buffer;
    }

    private static InputFileException TooLarge(long maxBytes) => new($"larger than {maxBytes} bytes");
}
