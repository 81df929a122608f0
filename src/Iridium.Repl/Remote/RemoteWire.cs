using System.Buffers.Binary;
using Iridium.Crypto;

namespace Iridium.Repl.Remote;

/// <summary>What the server answers a client's first handshake frame with (the reply frame's first byte).</summary>
internal enum HandshakeReply : byte
{
    /// <summary>The Noise message 2 follows: the channel is encrypted from now on.</summary>
    Accept = 0,

    /// <summary>The first message's tag did not check: the client does not know the cookie. A reason follows.</summary>
    WrongCookie = 1,

    /// <summary>Pushed out of the login slots to make room for newer connections: try again. A reason follows.</summary>
    Busy = 2,

    /// <summary>Not a remote REPL client's handshake (a wrong size, an unknown cipher). A reason follows.</summary>
    Invalid = 3,
}

/// <summary>
/// The remote REPL's wire format, protocol 2 (docs/reference/runtime.md, "The remote REPL"):
/// <code>
/// server → greeting line      "iridium-remote v2 ..." (text, at accept; "iridium-busy" instead when refused at once)
/// client → frame              cipher (1 byte), Noise message 1 (-> psk, e)
/// server → frame              HandshakeReply.Accept, Noise message 2 (&lt;- e, ee)   (or a refusal and its reason, then close)
/// client → sealed frame       "login": proves the client holds its ephemeral key (a replayed message 1 gets no further)
/// both   → sealed frames      the session's bytes: lines and the interrupt byte one way, output and prompts the other
///          sealed empty frame the end of that direction (an end without it is a cut, not a close)
/// </code>
/// A frame is a uint32 little-endian length and that many bytes, as on the cluster port. The
/// Noise construction is the cluster's (<see cref="NoiseHandshake"/>: NNpsk0, the cookie's
/// pre-shared key, fresh X25519 keys per session) with the greeting line as its prologue, so a
/// greeting altered on the way fails the handshake, and a cluster handshake cannot stand in for
/// a remote one.
/// </summary>
internal static class RemoteWire
{
    /// <summary>What every greeting starts with: a client of protocol 1 prints the line it does not know, and this says what it is.</summary>
    public const string GreetingPrefix = "iridium-remote v2 ";

    /// <summary>The server's greeting. It starts with "irid" as protocol 1's did, which is how a cluster client knows it reached a remote REPL.</summary>
    public const string Greeting = GreetingPrefix + "Noise_NNpsk0 (encrypted; connect with iridium remote of release 2 or later)";

    /// <summary>The first line of a server of protocol 1 (unencrypted), which a client of this build does not log in to.</summary>
    public const string OldGreetingPrefix = "iridium-auth v1 ";

    /// <summary>Sent instead of the greeting to a connection the login slots turn away at once: try again.</summary>
    public const string BusyLine = "iridium-busy";

    /// <summary>The reason sent with <see cref="HandshakeReply.WrongCookie"/>.</summary>
    public const string FailureReason = "iridium-auth failed";

    /// <summary>The client's first sealed frame.</summary>
    public static ReadOnlySpan<byte> LoginPayload => "login"u8;

    public const int HeaderBytes = 4;

    /// <summary>The client's first frame's body: the cipher and Noise message 1 (empty payload).</summary>
    public const int FirstFrameBodyBytes = 1 + NoiseHandshake.FirstMessageBytes;

    /// <summary>The client's first frame, header included.</summary>
    public const int FirstFrameBytes = HeaderBytes + FirstFrameBodyBytes;

    /// <summary>Longest line the client reads before the handshake (the greeting, or a foreign server's first words).</summary>
    public const int MaxGreetingBytes = 4096;

    /// <summary>Longest handshake reply the client reads (message 2, or a reason).</summary>
    public const int MaxReplyBytes = 1024;

    /// <summary>Most plaintext bytes of one sealed frame; longer writes are cut into several frames.</summary>
    public const int MaxPlaintextBytes = 16 * 1024;

    /// <summary>The size of a sealed frame carrying <paramref name="plaintextBytes"/>, header included.</summary>
    public static int SealedFrameBytes(int plaintextBytes) => HeaderBytes + plaintextBytes + CipherState.TagBytes;

    /// <summary>The greeting's bytes: sent as a line, and mixed into the handshake as its prologue.</summary>
    public static byte[] Prologue(string greeting) => System.Text.Encoding.UTF8.GetBytes(greeting);

    /// <summary>A frame: its length, then its bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default)
    {
        var frame = new byte[HeaderBytes + first.Length + second.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(first.Length + second.Length));
        first.CopyTo(frame.AsSpan(HeaderBytes));
        second.CopyTo(frame.AsSpan(HeaderBytes + first.Length));
        return frame;
    }

    /// <summary>A refusal reply frame: its kind and its reason.</summary>
    public static byte[] Refusal(HandshakeReply kind, string reason) => Frame([(byte)kind], System.Text.Encoding.UTF8.GetBytes(reason));

    /// <summary>
    /// Reads exactly <paramref name="buffer"/>'s length; false when the stream ended before the
    /// first byte, an <see cref="EndOfStreamException"/> (an IOException) when it ended inside.
    /// </summary>
    public static async ValueTask<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer[got..], ct).ConfigureAwait(false);
            if (read == 0)
            {
                if (got == 0) return false;
                throw new EndOfStreamException("the connection ended inside a frame");
            }
            got += read;
        }
        return true;
    }
}
