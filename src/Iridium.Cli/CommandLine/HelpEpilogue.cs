namespace Iridium.Cli.CommandLine;

/// <summary>What `iridium --help` adds after the parser's command list: the FILE form and the exit statuses.</summary>
internal static class HelpEpilogue
{
    public static void Write(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("'iridium FILE [options]' runs a program as 'iridium run FILE [options]' does;");
        output.WriteLine("'iridium COMMAND --help' describes a command.");
        output.WriteLine();
        output.WriteLine("Exit status (every command):");
        int width = ExitCodes.Table.Max(row => row.Status.Length);
        foreach (var (status, meaning) in ExitCodes.Table)
        {
            output.WriteLine($"  {status.PadRight(width)}  {meaning}");
        }
    }
}
