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
/// <param name="write">Where the bytes go: standard output, or (the REPL's <c>!exec</c>) a decoder feeding its text.</param>
/// <param name="flush">Called after each write, so output shows as it arrives.</param>
internal sealed class ExecOutputWriter(Action<ReadOnlySpan<byte>> write, Action flush, bool prefixed, int targets)
{
    public ExecOutputWriter(Stream stdout, bool prefixed, int targets)
        : this(stdout.Write, stdout.Flush, prefixed, targets)
    {
    }

    public const int MaxLineBytes = 64 * 1024;

    private readonly MemoryStream?[] _partial = new MemoryStream?[targets];

    public void Write(int target, string? alias, ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (!prefixed)
            {
                write(bytes);
                flush();
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
            flush();
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
            flush();
        }
        catch (IOException)
        {
        }
    }

    private void WriteLine(string? alias, MemoryStream line)
    {
        write(Encoding.UTF8.GetBytes($"[{alias}] "));
        write(line.GetBuffer().AsSpan(0, (int)line.Length));
        line.SetLength(0);
    }
}
