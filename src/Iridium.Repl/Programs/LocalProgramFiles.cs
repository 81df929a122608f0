namespace Iridium.Repl.Programs;

/// <summary>The local console's files: any path the user can read, relative to the working directory.</summary>
public sealed class LocalProgramFiles : IProgramFiles
{
    public ProgramFileText Read(string path) => ProgramFileReader.Read(path, path);
}

/// <summary>Reads a program file with a size cap and turns I/O failures into messages.</summary>
internal static class ProgramFileReader
{
    public static ProgramFileText Read(string fullPath, string displayName)
    {
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists) return ProgramFileText.Failed(displayName, Directory.Exists(fullPath) ? "is a directory" : "no such file");
            if (info.Length > IProgramFiles.MaxFileBytes)
                return ProgramFileText.Failed(displayName, $"larger than {IProgramFiles.MaxFileBytes} bytes");
            return new ProgramFileText(displayName, File.ReadAllText(fullPath), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ProgramFileText.Failed(displayName, e.Message);
        }
    }
}
