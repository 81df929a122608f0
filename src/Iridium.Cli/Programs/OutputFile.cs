namespace Iridium.Cli.Programs;

/// <summary>Writes a command's output to a file or, for "-", to standard output.</summary>
internal static class OutputFile
{
    /// <summary>Writes <paramref name="bytes"/>; <see cref="CommandFailure"/> (exit 73) when it cannot.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var output = Open(path);
            output.Write(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CannotWrite(path, e);
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing ("-" is standard output); failures are <see cref="CommandFailure"/> (exit 73).</summary>
    public static Stream Open(string path)
    {
        if (path == "-") return Console.OpenStandardOutput();
        if (Directory.Exists(path)) throw new CommandFailure(ExitCodes.CannotCreate, $"cannot write {path}: is a directory");
        try
        {
            return File.Create(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CannotWrite(path, e);
        }
    }

    private static CommandFailure CannotWrite(string path, Exception e) => new(ExitCodes.CannotCreate, $"cannot write {path}: {e.Message}");
}
