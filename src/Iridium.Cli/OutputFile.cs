namespace Iridium.Cli;

/// <summary>Writes a command's output to a file or, for "-", to standard output.</summary>
internal static class OutputFile
{
    public static bool TryWrite(string path, ReadOnlySpan<byte> bytes, TextWriter error)
    {
        try
        {
            if (path == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
            }
            else
            {
                File.WriteAllBytes(path, bytes.ToArray());
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error.WriteLine($"iridium: cannot write {path}: {e.Message}");
            return false;
        }
    }
}
