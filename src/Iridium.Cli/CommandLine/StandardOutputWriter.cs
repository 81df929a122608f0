using System.Text;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// Standard output as <see cref="Console.Out"/> for the commands (help, version, listings, tables):
/// a write that fails (a full disk, <c>&gt; /dev/full</c>) is a <see cref="CommandFailure"/> with
/// exit 73, as for any other output file, instead of an IOException that would end as an
/// internal error. Opened on first use, so a command that never prints text pays nothing; it
/// flushes every write, as the console's own writer does. A closed pipe (<c>| head</c>) is not a
/// failure: the runtime ignores EPIPE on standard output.
/// </summary>
internal sealed class StandardOutputWriter(Func<Stream>? open = null) : TextWriter
{
    private TextWriter? _inner;

    public override Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private TextWriter Inner => _inner ??= new StreamWriter((open ?? Console.OpenStandardOutput)(), Encoding, 4096) { AutoFlush = true };

    public override void Write(char value)
    {
        try
        {
            Inner.Write(value);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    public override void Write(string? value)
    {
        try
        {
            Inner.Write(value);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        try
        {
            Inner.Write(buffer, index, count);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    public override void Flush()
    {
        try
        {
            _inner?.Flush();
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing) _inner?.Dispose();
        }
        catch (IOException)
        {
            // The write that failed was reported; closing only retries the same bytes.
        }
        base.Dispose(disposing);
    }

    private static CommandFailure Failure(IOException e) => new(ExitCodes.CannotCreate, $"cannot write standard output: {e.Message}");
}
