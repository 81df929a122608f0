namespace Iridium.Cli.Programs;

/// <summary>
/// Writes a command's output to a file or, for "-", to standard output. Every failure, when the
/// file is created, written or flushed (a full disk, <c>/dev/full</c>), is a
/// <see cref="CommandFailure"/> with exit 73.
/// </summary>
internal static class OutputFile
{
    public static void Write(string path, byte[] bytes) => Write(path, output => output.Write(bytes));

    /// <summary>Opens <paramref name="path"/>, lets <paramref name="write"/> fill it and closes it, all under the same failure rule.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        if (path != "-" && Directory.Exists(path)) throw new CommandFailure(ExitCodes.CannotCreate, $"cannot write {path}: is a directory");
        try
        {
            // Closing flushes, and a flush can fail too: it stays inside the try.
            using var output = path == "-" ? Console.OpenStandardOutput() : File.Create(path);
            write(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CommandFailure(ExitCodes.CannotCreate, $"cannot write {path}: {e.Message}");
        }
    }
}
