using System.Text;
using Iridium.Files;

namespace Iridium.Cli.Programs;

/// <summary>
/// The bytes a client command sends (a message for `send`/`call`, a value for `kv put`): TEXT as
/// UTF-8, standard input for '-', or a file. Read before connecting, so a file that cannot be read
/// is the user's to fix whatever the node: exit 66 with the file named.
/// </summary>
internal static class PayloadInput
{
    public static byte[] Read(string command, string? text, string? file, int maxBytes)
    {
        try
        {
            return file is not null ? BoundedInput.ReadAllBytes(file, maxBytes)
                : text == "-" ? BoundedInput.ReadAllBytes(Console.OpenStandardInput(), maxBytes)
                : Encoding.UTF8.GetBytes(text ?? "");
        }
        catch (InputFileException e)
        {
            throw new CommandFailure(ExitCodes.NoInput, $"{command}: cannot read {file ?? "standard input"}: {e.Message}");
        }
    }
}
