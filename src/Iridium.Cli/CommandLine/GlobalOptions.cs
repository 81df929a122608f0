using Iridium.Cli.Hosting;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// The options every command accepts, declared once (<see cref="CommandLineApp"/>): where the
/// process keeps its state and which cookie it proves itself with. Commands that do not need
/// them (run, asm, disasm) ignore them.
/// </summary>
internal sealed record GlobalOptions(string? DataRootDir, string? CookieFile)
{
    /// <summary>The process settings these options and the command's own <c>--node-alias</c> describe.</summary>
    public ProcessSettings Process(string? nodeAlias = null) => new(DataRootDir, CookieFile, nodeAlias);
}
