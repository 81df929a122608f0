using System.Text;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Programs;

/// <summary>
/// Writes `exec` output to standard output as it arrives. From one node the bytes pass through
/// untouched; from several (<c>--on all</c>) each line is written whole, prefixed <c>[alias] </c>,
/// so lines of different nodes never interleave mid-line (a last line without a newline gets one).
/// </summary>
internal sealed class ExecOutputWriter(Stream stdout, bool prefixed, int targets)
{
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
            while ((newline = bytes.IndexOf((byte)'\n')) >= 0)
            {
                partial.Write(bytes[..(newline + 1)]);
                WriteLine(alias, partial);
                bytes = bytes[(newline + 1)..];
            }
            partial.Write(bytes);
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
