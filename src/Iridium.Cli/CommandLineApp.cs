using System.CommandLine;
using Iridium.Cli.Commands;

namespace Iridium.Cli;

/// <summary>Builds the `iridium` command tree and runs it. Composition only: the work lives in the libraries.</summary>
internal static class CommandLineApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Iridium: a register-based VM with an assembler, a REPL and a cluster of VM nodes.")
        {
            RunCommand.Create(),
            AsmCommand.Create(),
            DisasmCommand.Create(),
            RemoteCommand.Create(),
            NodeCommand.Create(),
            MembersCommand.Create(),
        };
        ReplCommand.Configure(root);
        return root;
    }

    public static int Run(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"iridium: {error.Message}");
            Console.Error.WriteLine("Try 'iridium --help' for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke();
    }
}
