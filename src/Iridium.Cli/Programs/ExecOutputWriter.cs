using System.Text;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Programs;

/// <summary>
/// Writes `exec` output to standard output as it arrives. From one node the bytes pass through
/// untouched; from several (<c>--on all</c>) each line is written whole, prefixed <c>[alias] </c>,
/// so lines of different nodes never interleave mid-line (a last line without a newline gets one).
/// A line is held until its newline, but never beyond <see cref="MaxLineBytes"/>: a remote program
/// that prints without newlines must not grow this client without bound, so a longer line is
/// written in pieces of that size, each a line of its own.
/// </summary>
internal sealed class ExecOutputWriter(Stream stdout, bool prefixed, int targets)
{
    public const int MaxLineBytes = 64 * 1024;

    private readonly MemoryStream?[] _partial = new MemoryStream?[targets];

    public void Write(int target, string? alias, ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (!prefixed)
            {
                stdout.Write(bytes);
                stdout.Flush();
                return;
            }
            var partial = _partial[target] ??= new MemoryStream();
            int newline;
            while (!bytes.IsEmpty)
            {
                int room = MaxLineBytes - (int)partial.Length;
                newline = bytes[..Math.Min(bytes.Length, room)].IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    partial.Write(bytes[..(newline + 1)]);
                    bytes = bytes[(newline + 1)..];
                }
                else if (bytes.Length >= room)
                {
                    partial.Write(bytes[..room]);
                    partial.WriteByte((byte)'\n');
                    bytes = bytes[room..];
                }
                else
                {
                    partial.Write(bytes);
                    break;
                }
                WriteLine(alias, partial);
            }
            stdout.Flush();
        }
        catch (IOException)
        {
            // A closed stdout (`| head`): the program goes on, as `run` does.
        }
    }

    /// <summary>Ends every unfinished line.</summary>
    public void Finish(IReadOnlyList<ExecResult> results)
    {
        if (!prefixed) return;
        try
        {
            for (int i = 0; i < _partial.Length; i++)
            {
                if (_partial[i] is not { Length: > 0 } partial) continue;
                partial.WriteByte((byte)'\n');
                WriteLine(results[i].Alias ?? results[i].Target, partial);
            }
            stdout.Flush();
        }
        catch (IOException)
        {
        }
    }

    private void WriteLine(string? alias, MemoryStream line)
    {
        stdout.Write(Encoding.UTF8.GetBytes($"[{alias}] "));
        stdout.Write(line.GetBuffer().AsSpan(0, (int)line.Length));
        line.SetLength(0);
    }
}
