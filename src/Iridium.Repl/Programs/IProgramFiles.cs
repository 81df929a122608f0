namespace Iridium.Repl.Programs;

/// <summary>A program file's text, or why it could not be read.</summary>
public sealed record ProgramFileText(string DisplayName, string? Text, string? Error)
{
    public static ProgramFileText Failed(string displayName, string error) => new(displayName, null, error);
}

/// <summary>
/// Where <c>!load_file</c> and <c>!spawn</c> read program files: anywhere for the local console,
/// only inside a sandbox directory for remote sessions.
/// </summary>
public interface IProgramFiles
{
    /// <summary>Largest program file accepted (a REPL has no business assembling huge files).</summary>
    const int MaxFileBytes = 1 << 20;

    ProgramFileText Read(string path);
}
