using System.Text;

namespace Iridium.Repl.Remote;

public enum LineReadStatus
{
    Line,
    EndOfStream,
    /// <summary>The line grew past the limit before its newline arrived; the rest was not read.</summary>
    TooLong,
    /// <summary>The connection's bytes did not authenticate (<see cref="TamperedException"/>): altered on the way.</summary>
    Tampered,
}

public readonly record struct LineRead(LineReadStatus Status, string Text = "");

/// <summary>
/// Reads LF-terminated lines (a CR before the LF is dropped) from a stream, one at a time, never
/// holding more than <c>maxBytes</c> of a line: a peer that sends an endless line gets
/// <see cref="LineReadStatus.TooLong"/> instead of exhausting memory. Each call returns exactly one
/// line, so nothing typed earlier is ever handed over again (the original re-ran its whole buffer).
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxBytes)
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;

    public async Task<LineRead> ReadLineAsync(CancellationToken cancellation)
    {
        _line.SetLength(0);
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int take = (newline < 0 ? _end : newline) - _start;
            if (_line.Length + take > maxBytes) return new LineRead(LineReadStatus.TooLong);
            _line.Write(_buffer, _start, take);
            if (newline >= 0)
            {
                _start = newline + 1;
                return new LineRead(LineReadStatus.Line, Decode());
            }
            _start = _end = 0;
            int read = await stream.ReadAsync(_buffer, cancellation).ConfigureAwait(false);
            if (read == 0)
                return _line.Length > 0 ? new LineRead(LineReadStatus.Line, Decode()) : new LineRead(LineReadStatus.EndOfStream);
            _end = read;
        }
    }

    private string Decode()
    {
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        return Encoding.UTF8.GetString(bytes);
    }
}
