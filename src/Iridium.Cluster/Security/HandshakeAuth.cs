using Iridium.Cluster.Protocol;

using Iridium.Crypto;

namespace Iridium.Cluster.Security;

/// <summary>
/// Mutual challenge-response with the cluster cookie: each side proves it knows the cookie with
/// HMAC-SHA256(cookie, label | dialer nonce | acceptor nonce | dialer id | acceptor id). Both nonces
/// make every proof fresh (no replay); the role label means the acceptor's proof can never be
/// reflected back as a dialer's; the ids bind the proof to this pair of nodes.
/// </summary>
internal static class HandshakeAuth
{
    private static ReadOnlySpan<byte> DialerLabel => "iridium-cluster-v1 dialer"u8;
    private static ReadOnlySpan<byte> AcceptorLabel => "iridium-cluster-v1 acceptor"u8;

    public static byte[] NewNonce() => SecureRandom.Bytes(ProtocolLimits.NonceBytes);

    public static byte[] DialerMac(byte[] cookie, byte[] dialerNonce, byte[] acceptorNonce, Guid dialerId, Guid acceptorId)
        => HmacSha256.Compute(cookie, Transcript(DialerLabel, dialerNonce, acceptorNonce, dialerId, acceptorId));

    public static byte[] AcceptorMac(byte[] cookie, byte[] dialerNonce, byte[] acceptorNonce, Guid dialerId, Guid acceptorId)
        => HmacSha256.Compute(cookie, Transcript(AcceptorLabel, dialerNonce, acceptorNonce, dialerId, acceptorId));

    public static bool VerifyDialer(byte[] cookie, byte[] dialerNonce, byte[] acceptorNonce, Guid dialerId, Guid acceptorId, byte[]? mac)
        => mac is not null && HmacSha256.Verify(cookie, Transcript(DialerLabel, dialerNonce, acceptorNonce, dialerId, acceptorId), mac);

    public static bool VerifyAcceptor(byte[] cookie, byte[] dialerNonce, byte[] acceptorNonce, Guid dialerId, Guid acceptorId, byte[]? mac)
        => mac is not null && HmacSha256.Verify(cookie, Transcript(AcceptorLabel, dialerNonce, acceptorNonce, dialerId, acceptorId), mac);

    private static byte[] Transcript(ReadOnlySpan<byte> label, byte[] dialerNonce, byte[] acceptorNonce, Guid dialerId, Guid acceptorId)
    {
        var transcript = new byte[label.Length + dialerNonce.Length + acceptorNonce.Length + 32];
        var span = transcript.AsSpan();
        label.CopyTo(span);
        span = span[label.Length..];
        dialerNonce.CopyTo(span);
        span = span[dialerNonce.Length..];
        acceptorNonce.CopyTo(span);
        span = span[acceptorNonce.Length..];
        dialerId.TryWriteBytes(span);
        acceptorId.TryWriteBytes(span[16..]);
        return transcript;
    }
}
