using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Iridium.Crypto;

namespace Iridium.Repl.Remote;

/// <summary>How a server's side of the login ended: the sealed channel, or why not (null for a connection that went without a word).</summary>
internal readonly record struct AcceptResult(SealedStream? Channel, string? Failure = null);

/// <summary>How a client's login attempt ended.</summary>
internal enum DialStatus
{
    /// <summary>The channel is encrypted and the login frame sent: the server's first sealed line decides.</summary>
    Keyed,

    /// <summary>The server turned the login away to make room (the busy line or reply): try again.</summary>
    Busy,

    /// <summary>The server closed or reset the connection after its greeting: pushed out, try again.</summary>
    Dropped,

    /// <summary>Closed without a word: not a remote REPL (a cluster node waits for its caller to speak).</summary>
    Closed,

    WrongCookie,

    /// <summary>The client has no cookie to give (<see cref="DialResult.Text"/> says why).</summary>
    NoCookie,

    /// <summary>A remote REPL of protocol 1 (unencrypted): this client does not log in to it.</summary>
    OldServer,

    /// <summary>Something else answered (<see cref="DialResult.Text"/>: its words, to be escaped).</summary>
    Foreign,

    /// <summary>The server's handshake message does not authenticate: it does not know the cookie, or someone in between answered.</summary>
    Unproven,
}

internal readonly record struct DialResult(DialStatus Status, SealedStream? Channel = null, string? Text = null);

/// <summary>
/// Both sides of the remote REPL's login (<see cref="RemoteWire"/>): the Noise <c>NNpsk0</c>
/// handshake of <see cref="NoiseHandshake"/> keyed by the cookie, then the client's sealed login
/// frame. The login is the handshake: only a client that knows the cookie gets past message 1's
/// tag, and only the one that made message 1 can seal the login frame with the keys it led to.
/// A stranger costs the server a few hashes (message 1's tag is checked before any X25519
/// operation); a recorded message 1 replayed costs one key pair and one agreement, and fails at
/// the login frame. Every read is exact and bounded by the sizes the protocol fixes.
/// </summary>
internal static class RemoteHandshake
{
    /// <summary>The server's side, after the accept loop sent the greeting. Timeouts are the caller's (<paramref name="ct"/>).</summary>
    public static async Task<AcceptResult> AcceptAsync(Stream stream, byte[] psk, LoginProgress progress, Action shutdownSend, CancellationToken ct)
    {
        try
        {
            var first = await ReadAnswerAsync(stream, RemoteWire.FirstFrameBodyBytes, progress, ct).ConfigureAwait(false);
            if (first.Body is null)
            {
                if (first.Length is not { } length) return new AcceptResult(null);
                await SendAsync(stream, RemoteWire.Refusal(HandshakeReply.Invalid, $"not a remote REPL handshake (it begins with a frame of {RemoteWire.FirstFrameBodyBytes} bytes)"), ct).ConfigureAwait(false);
                return new AcceptResult(null, $"not a remote REPL client (a first frame of {length} bytes)");
            }
            byte cipher = first.Body[0];
            if (!CipherChoices.IsKnown(cipher))
            {
                await SendAsync(stream, RemoteWire.Refusal(HandshakeReply.Invalid, $"unknown cipher {cipher}"), ct).ConfigureAwait(false);
                return new AcceptResult(null, $"not a remote REPL client (unknown cipher {cipher})");
            }
            var noise = NoiseHandshake.Responder((CipherChoice)cipher, psk, RemoteWire.Prologue(RemoteWire.Greeting));
            byte[] second;
            try
            {
                noise.ReadFirst(first.Body.AsSpan(1));
                second = noise.WriteSecond([]);
            }
            catch (AuthenticationException)
            {
                await SendAsync(stream, RemoteWire.Refusal(HandshakeReply.WrongCookie, RemoteWire.FailureReason), ct).ConfigureAwait(false);
                return new AcceptResult(null, "authentication failed");
            }
            var keys = noise.Split();
            await SendAsync(stream, RemoteWire.Frame([(byte)HandshakeReply.Accept], second), ct).ConfigureAwait(false);
            progress.Keyed(RemoteWire.SealedFrameBytes(RemoteWire.LoginPayload.Length));

            var login = await ReadAnswerAsync(stream, RemoteWire.LoginPayload.Length + CipherState.TagBytes, progress, ct).ConfigureAwait(false);
            if (login.Body is null) return new AcceptResult(null, login.Length is null ? null : "authentication failed (a login frame of the wrong size)");
            var opened = new byte[RemoteWire.LoginPayload.Length];
            try
            {
                keys.Receive.Decrypt([], new ReadOnlySequence<byte>(login.Body), opened);
            }
            catch (AuthenticationException)
            {
                return new AcceptResult(null, "authentication failed (the login does not open: a replayed or altered handshake)");
            }
            if (!opened.AsSpan().SequenceEqual(RemoteWire.LoginPayload)) return new AcceptResult(null, "authentication failed (not a login)");
            return new AcceptResult(new SealedStream(stream, keys.Send, keys.Receive, shutdownSend));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return new AcceptResult(null);   // went away, timed out, or pushed out
        }
    }

    /// <summary>A frame of the client's whose size is fixed: its body, or its length when that is wrong (nothing more is read), or neither when it never came.</summary>
    private readonly record struct Answer(byte[]? Body, uint? Length);

    private static async Task<Answer> ReadAnswerAsync(Stream stream, int bodyBytes, LoginProgress progress, CancellationToken ct)
    {
        var header = new byte[RemoteWire.HeaderBytes];
        if (!await RemoteWire.ReadExactlyOrEndAsync(stream, header, ct).ConfigureAwait(false)) return new Answer(null, null);
        progress.Read(header.Length);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length != bodyBytes) return new Answer(null, length);
        var body = new byte[bodyBytes];
        await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        progress.Answered();
        return new Answer(body, length);
    }

    private static async Task SendAsync(Stream stream, byte[] frame, CancellationToken ct)
    {
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The client's side, on a fresh connection: reads the greeting, asks for the cookie (only
    /// now: it may not exist), runs the handshake and sends the sealed login frame.
    /// </summary>
    public static async Task<DialResult> DialAsync(Stream stream, Func<byte[]> cookie, Action shutdownSend, CancellationToken ct)
    {
        var (greeting, receivedAny) = await ReadGreetingAsync(stream, ct).ConfigureAwait(false);
        if (greeting is null) return new DialResult(receivedAny ? DialStatus.Dropped : DialStatus.Closed);
        if (greeting == RemoteWire.BusyLine) return new DialResult(DialStatus.Busy);
        if (greeting.StartsWith(RemoteWire.OldGreetingPrefix, StringComparison.Ordinal)) return new DialResult(DialStatus.OldServer);
        if (!greeting.StartsWith(RemoteWire.GreetingPrefix, StringComparison.Ordinal)) return new DialResult(DialStatus.Foreign, Text: greeting);
        byte[] secret;
        try
        {
            secret = cookie();
        }
        catch (InvalidOperationException e)
        {
            return new DialResult(DialStatus.NoCookie, Text: e.Message);
        }

        try
        {
            var noise = NoiseHandshake.Initiator(CipherChoices.Preferred, CookieKey.PreSharedKey(secret), RemoteWire.Prologue(greeting));
            await SendAsync(stream, RemoteWire.Frame([(byte)noise.Cipher], noise.WriteFirst([])), ct).ConfigureAwait(false);

            var header = new byte[RemoteWire.HeaderBytes];
            if (!await RemoteWire.ReadExactlyOrEndAsync(stream, header, ct).ConfigureAwait(false)) return new DialResult(DialStatus.Dropped);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length is 0 or > RemoteWire.MaxReplyBytes) return new DialResult(DialStatus.Foreign, Text: $"a handshake reply of {length} bytes");
            var reply = new byte[length];
            await stream.ReadExactlyAsync(reply, ct).ConfigureAwait(false);
            string reason = Encoding.UTF8.GetString(reply.AsSpan(1));
            switch ((HandshakeReply)reply[0])
            {
                case HandshakeReply.Accept:
                    break;
                case HandshakeReply.Busy:
                    return new DialResult(DialStatus.Busy);
                case HandshakeReply.WrongCookie:
                    return new DialResult(DialStatus.WrongCookie);
                default:
                    return new DialResult(DialStatus.Foreign, Text: reason);
            }
            try
            {
                noise.ReadSecond(reply.AsSpan(1));
            }
            catch (AuthenticationException)
            {
                return new DialResult(DialStatus.Unproven);
            }
            var keys = noise.Split();
            var channel = new SealedStream(stream, keys.Send, keys.Receive, shutdownSend);
            await channel.WriteAsync(RemoteWire.LoginPayload.ToArray(), ct).ConfigureAwait(false);
            return new DialResult(DialStatus.Keyed, channel);
        }
        catch (IOException)
        {
            return new DialResult(DialStatus.Dropped);   // reset after the greeting: pushed out while answering
        }
    }

    /// <summary>
    /// The server's first line, read a byte at a time so that nothing after it is taken from the
    /// stream: at most <see cref="RemoteWire.MaxGreetingBytes"/> (what a server that never ends its
    /// line gets), or what came before the close. Null when nothing came, or the connection was reset.
    /// </summary>
    private static async Task<(string? Line, bool ReceivedAny)> ReadGreetingAsync(Stream stream, CancellationToken ct)
    {
        var line = new MemoryStream();
        var one = new byte[1];
        try
        {
            while (line.Length < RemoteWire.MaxGreetingBytes)
            {
                if (await stream.ReadAsync(one, ct).ConfigureAwait(false) == 0) break;
                if (one[0] == '\n') break;
                line.WriteByte(one[0]);
            }
        }
        catch (IOException)
        {
            return (null, line.Length > 0);
        }
        if (line.Length == 0) return (null, false);
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes[^1] == '\r') bytes = bytes[..^1];
        return (Encoding.UTF8.GetString(bytes), true);
    }
}
