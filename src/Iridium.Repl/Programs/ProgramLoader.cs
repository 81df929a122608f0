using Iridium.Assembler;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Programs;

/// <summary>An assembled program file.</summary>
internal sealed record LoadedProgram(string Path, byte[] Image, SymbolTable Symbols);

/// <summary>
/// The shared first half of <c>!load_file</c> and <c>!spawn</c>: take the path from the arguments
/// or ask whoever typed the command, read it where the session may read, and assemble it with
/// a fresh assembler. Every failure is reported to the session and yields null.
/// </summary>
internal static class ProgramLoader
{
    public static async ValueTask<LoadedProgram?> LoadAsync(ReplSession session, string pathArgument, CancellationToken cancellation)
    {
        string? path = pathArgument.Length > 0
            ? pathArgument
            : await session.AskAsync("Path of the program file:", cancellation).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(path))
        {
            session.Say("no path given; nothing loaded");
            return null;
        }

        var file = session.Options.Files.Read(path);
        if (file.Text is null)
        {
            session.Say($"cannot read {file.DisplayName}: {file.Error}");
            session.Failed(new ReplFailure(ReplFailureKind.UnreadableFile));
            return null;
        }

        var result = Assembler.Assembler.Assemble(file.Text, file.DisplayName);
        if (!result.Success)
        {
            session.Say(result.RenderErrors().TrimEnd('\n'));
            session.Say($"{file.DisplayName}: {result.Errors.Count} assembly error(s); nothing loaded");
            session.Failed(new ReplFailure(ReplFailureKind.InvalidProgram));
            return null;
        }
        return new LoadedProgram(file.DisplayName, result.Image!, result.Symbols);
    }
}
