using System.Text;
using Iridium.Crypto;

namespace Iridium.Repl.Remote;

/// <summary>
/// The remote REPL's challenge-response login, done before anything else on the connection:
/// <code>
/// server: iridium-auth v1 &lt;nonce: 64 lowercase hex digits, 32 random bytes&gt;\n
/// client: &lt;HMAC-SHA256(cookie, "iridium-remote-repl-auth-v1:" + nonce hex): 64 hex digits&gt;\n
/// server: the banner line (success) — or "iridium-auth failed" and it closes the connection.
/// </code>
/// The cookie is the cluster cookie (<c>--cookie-file</c>, <c>IRIDIUM_COOKIE</c>, <c>&lt;data-root&gt;/cookie</c>)
/// and never crosses the wire. The MAC covers a fixed prefix as well as the nonce so that an answer
/// computed here can never be replayed as the answer to a cluster handshake nonce (which uses the
/// same cookie), and the other way round. By hand, with nc:
/// <c>printf 'iridium-remote-repl-auth-v1:%s' NONCE | openssl dgst -sha256 -hmac "$(cat COOKIE)"</c>.
/// A server started without a cookie (loopback only) sends the banner at once, with no challenge.
/// </summary>
public static class RemoteAuth
{
    public const string ChallengePrefix = "iridium-auth v1 ";
    public const string FailureLine = "iridium-auth failed";

    /// <summary>
    /// Sent instead of (or after) the challenge when the server drops a connection that has not
    /// logged in to make room for newer ones: the client may try again (a failure line may not).
    /// </summary>
    public const string BusyLine = "iridium-busy";
    public const string MacPrefix = "iridium-remote-repl-auth-v1:";
    public const int NonceBytes = 32;

    /// <summary>The length of an answer line: an HMAC-SHA256 in hex and the newline.</summary>
    public const int AnswerBytes = 2 * 32 + 1;

    /// <summary>A fresh challenge: the nonce as hex, and the line the server sends.</summary>
    public static (string NonceHex, string Line) NewChallenge()
    {
        string nonce = Convert.ToHexStringLower(SecureRandom.Bytes(NonceBytes));
        return (nonce, ChallengePrefix + nonce);
    }

    /// <summary>The client's answer to a challenge line, or null when the line is not a challenge.</summary>
    public static string? Answer(string challengeLine, ReadOnlySpan<byte> cookie)
    {
        if (!challengeLine.StartsWith(ChallengePrefix, StringComparison.Ordinal)) return null;
        string nonce = challengeLine[ChallengePrefix.Length..].Trim();
        return Convert.ToHexStringLower(HmacSha256.Compute(cookie, Message(nonce)));
    }

    /// <summary>Checks the client's answer in constant time.</summary>
    public static bool Verify(string nonceHex, string answerLine, ReadOnlySpan<byte> cookie)
    {
        byte[] answer;
        try
        {
            answer = Convert.FromHexString(answerLine.Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        return HmacSha256.Verify(cookie, Message(nonceHex), answer);
    }

    private static byte[] Message(string nonceHex) => Encoding.ASCII.GetBytes(MacPrefix + nonceHex);
}
