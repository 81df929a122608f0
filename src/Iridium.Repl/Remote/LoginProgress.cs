using System.Net.Sockets;
using Iridium.Net;

namespace Iridium.Repl.Remote;

/// <summary>
/// How far a connection that has not logged in yet has got, for the login budget to choose whom to
/// push out (<see cref="PreAuthBudget"/>): asked from the accept loop, under the budget's lock, so
/// it only looks (at the socket and at what the session has read) and never blocks.
/// </summary>
internal sealed class LoginProgress(Socket socket, TimeProvider time)
{
    /// <summary>How long after its challenge a silent connection counts as waiting for its answer rather than stalled.</summary>
    private const long AnswerMs = 1000;

    private long _challengedAt = -1;   // a timestamp of the clock, once challenged
    private volatile bool _answerRead;
    private volatile BoundedLineReader? _reader;

    /// <summary>The challenge has been sent: from now on what arrives is the client's answer.</summary>
    public void Challenged() => Volatile.Write(ref _challengedAt, time.GetTimestamp());

    /// <summary>The session has read a whole answer line and is checking it.</summary>
    public void AnswerRead() => _answerRead = true;

    /// <summary>The session's reader of the answer, once it reads.</summary>
    public BoundedLineReader Reader
    {
        set => _reader = value;
    }

    public LoginActivity Activity()
    {
        if (_answerRead) return LoginActivity.Answering;
        long challengedAt = Volatile.Read(ref _challengedAt);
        if (challengedAt < 0) return LoginActivity.Silent;
        int waiting;
        try
        {
            waiting = socket.Available;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return LoginActivity.Silent;
        }
        if (waiting >= RemoteAuth.AnswerBytes) return LoginActivity.Answering;
        if (waiting > 0 || _reader?.HasPartialLine == true) return LoginActivity.Partial;
        return time.GetElapsedTime(challengedAt).TotalMilliseconds < AnswerMs ? LoginActivity.Waiting : LoginActivity.Silent;
    }
}
