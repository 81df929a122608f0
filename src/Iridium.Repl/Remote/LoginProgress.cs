using System.Net.Sockets;
using Iridium.Net;

namespace Iridium.Repl.Remote;

/// <summary>Where a connection's login is (<see cref="LoginProgress.Phase"/>): what a push-out may still tell it.</summary>
internal enum LoginPhase
{
    /// <summary>Nothing sent yet: a push-out sends the busy line instead of the greeting.</summary>
    Accepted,

    /// <summary>The greeting went out: a push-out sends a busy reply frame.</summary>
    Greeted,

    /// <summary>Noise message 2 went out, the channel is encrypted: a push-out just closes (the client tries again).</summary>
    Keyed,
}

/// <summary>
/// How far a connection that has not logged in yet has got, for the login budget to choose whom to
/// push out (<see cref="PreAuthBudget"/>): asked from the accept loop, under the budget's lock, so
/// it only looks (at the socket and at what the handshake has read) and never blocks. The login
/// waits for two frames of known sizes in turn, the first handshake frame and the sealed login
/// frame (<see cref="RemoteHandshake"/>): one whose bytes have all arrived is answering and is
/// never pushed out; one with part of them has stalled.
/// </summary>
internal sealed class LoginProgress(Socket socket, TimeProvider time)
{
    /// <summary>How long after the server's last word a silent connection counts as waiting for its answer rather than stalled.</summary>
    private const long AnswerMs = 1000;

    private long _askedAt = -1;     // a timestamp of the clock, once the server waits for a frame
    private volatile int _expected; // the bytes of the frame awaited
    private volatile int _read;     // of them, read by the handshake already
    private volatile bool _answered;
    private volatile int _phase;

    public LoginPhase Phase => (LoginPhase)_phase;

    /// <summary>The greeting went out: the client's first frame (<paramref name="expectedBytes"/> with its header) is awaited.</summary>
    public void Greeted(int expectedBytes) => Await(LoginPhase.Greeted, expectedBytes);

    /// <summary>Noise message 2 went out: the sealed login frame (<paramref name="expectedBytes"/>) is awaited.</summary>
    public void Keyed(int expectedBytes) => Await(LoginPhase.Keyed, expectedBytes);

    /// <summary>The handshake read <paramref name="bytes"/> more of the awaited frame.</summary>
    public void Read(int bytes) => _read += bytes;

    /// <summary>The awaited frame is read whole and being checked: the connection is answering until the server waits again.</summary>
    public void Answered() => _answered = true;

    private void Await(LoginPhase phase, int expectedBytes)
    {
        _answered = false;
        _read = 0;
        _expected = expectedBytes;
        _phase = (int)phase;
        Volatile.Write(ref _askedAt, time.GetTimestamp());
    }

    public LoginActivity Activity()
    {
        if (_answered) return LoginActivity.Answering;
        long askedAt = Volatile.Read(ref _askedAt);
        if (askedAt < 0) return LoginActivity.Silent;
        int waiting;
        try
        {
            waiting = socket.Available;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return LoginActivity.Silent;
        }
        int arrived = _read + waiting;
        if (arrived >= _expected) return LoginActivity.Answering;
        if (arrived > 0) return LoginActivity.Partial;
        return time.GetElapsedTime(askedAt).TotalMilliseconds < AnswerMs ? LoginActivity.Waiting : LoginActivity.Silent;
    }
}
