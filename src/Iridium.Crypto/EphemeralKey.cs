using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Iridium.Crypto;

/// <summary>
/// An X25519 key pair for one Noise handshake: a random private key and its public key,
/// X25519(k, 9) (RFC 7748). Used once; the handshake wipes the private key at Split.
/// </summary>
public sealed class EphemeralKey
{
    /// <summary>The u-coordinate 9 of Curve25519's base point, little-endian.</summary>
    private static readonly byte[] BasePoint = [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private EphemeralKey(byte[] privateKey, byte[] publicKey)
    {
        Private = privateKey;
        Public = publicKey;
    }

    public byte[] Private { get; }

    public byte[] Public { get; }

    /// <summary>
    /// A new key pair, its public key by the Montgomery ladder rather than GeneratePublicKey,
    /// which would first build BouncyCastle's table of base-point multiples: milliseconds that
    /// a one-command client (`iridium exec`) would pay on every run for one key.
    /// </summary>
    public static EphemeralKey New()
    {
        var privateKey = SecureRandom.Bytes(NoiseHandshake.DhBytes);
        var publicKey = new byte[NoiseHandshake.DhBytes];
        X25519.ScalarMult(privateKey, 0, BasePoint, 0, publicKey, 0);
        return new EphemeralKey(privateKey, publicKey);
    }

    /// <summary>A given private key (the published test vectors); its public key is computed.</summary>
    internal static EphemeralKey Of(ReadOnlySpan<byte> privateKey)
    {
        var publicKey = new byte[NoiseHandshake.DhBytes];
        var copy = privateKey.ToArray();
        X25519.ScalarMult(copy, 0, BasePoint, 0, publicKey, 0);
        return new EphemeralKey(copy, publicKey);
    }
}

/// <summary>
/// The next handshake's ephemeral key, made ahead of time, so a handshake does not wait for the
/// scalar multiplication that makes it (a tenth of a millisecond, a quarter of what one side of a
/// handshake costs; measured by tools/bench/CryptoBench). Each key is still used for one handshake
/// only (forward secrecy is per connection): a prepared key is handed out once, and whoever wants
/// another prepares it. A node prepares the next one on the thread pool after each handshake
/// (<see cref="Prepare"/>, <see cref="Take"/>). A command-line client, which connects once and
/// avoids starting the thread pool (its blocking I/O needs none), has its one key made on a thread
/// of its own from the moment it knows it will connect (<see cref="PrepareOnOwnThread"/>), while
/// it parses its arguments, reads its program and connects (<see cref="TakeOwnThreadKey"/>); if
/// that thread has not even begun by then (a busy machine), the client makes the key itself.
/// Nothing is made until someone prepares, and a stranger who fails the first handshake message
/// makes the acceptor prepare nothing (the acceptor takes a key only after that message checks).
/// </summary>
public static class EphemeralKeys
{
    private static readonly Lock Gate = new();
    private static Task<EphemeralKey>? _prepared;
    private static KeyThread? _ownThread;

    /// <summary>
    /// Starts making one key on a new thread (not the thread pool's), unless one is being made
    /// that way already; <see cref="TakeOwnThreadKey"/> takes it. <paramref name="first"/>: what
    /// else the caller wants done off its own thread, before the key (starting something, such as
    /// another thread, is best begun early); a taker that comes while it runs makes its own key
    /// rather than wait. Its failure is ignored.
    /// </summary>
    public static void PrepareOnOwnThread(Action? first = null)
    {
        lock (Gate)
        {
            if (_ownThread is not null) return;
            _ownThread = new KeyThread(first: first);
        }
    }

    /// <summary>
    /// The key <see cref="PrepareOnOwnThread"/> had made, waiting for it if its thread is making
    /// it; made now when none was prepared, or when its thread has not begun (see <see cref="KeyThread.Key"/>).
    /// </summary>
    public static EphemeralKey TakeOwnThreadKey()
    {
        KeyThread? own;
        lock (Gate)
        {
            own = _ownThread;
            _ownThread = null;
        }
        return own?.Key() ?? EphemeralKey.New();
    }

    /// <summary>One key made on a thread of its own.</summary>
    internal sealed class KeyThread
    {
        private const int NotBegun = 0, Making = 1, TakenFirst = 2;

        private readonly Thread _thread;
        private readonly Action? _first;
        // Set once the key is made (or failed): the taker waits for that, not for the thread's end.
        private readonly ManualResetEventSlim _made = new();
        private EphemeralKey? _key;
        private int _state;

        public KeyThread(bool start = true, Action? first = null)
        {
            _first = first;
            _thread = new Thread(Make) { IsBackground = true, Name = "ephemeral key" };
            if (start) _thread.Start();
        }

        /// <summary>Starts a thread made with <c>start: false</c> (tests).</summary>
        internal void Start() => _thread.Start();

        /// <summary>Whether the thread made a key (tests; after <see cref="Key"/> or once the thread has ended).</summary>
        internal bool MadeOne => Volatile.Read(ref _key) is not null;

        /// <summary>
        /// The key; null when making it failed, or when the thread has not begun it (it may still be
        /// doing what comes first): on a busy machine a new thread can wait milliseconds for a
        /// core, and the taker, which runs, makes its own rather than wait for one that has not
        /// started (that thread then makes none).
        /// </summary>
        public EphemeralKey? Key()
        {
            if (Interlocked.CompareExchange(ref _state, TakenFirst, NotBegun) == NotBegun) return null;
            _made.Wait();
            return Volatile.Read(ref _key);
        }

        /// <summary>Ends the thread (tests).</summary>
        internal void Join() => _thread.Join();

        private void Make()
        {
            try
            {
                _first?.Invoke();
            }
            catch (Exception)
            {
                // Only a head start: the caller's own thread does it when it gets there.
            }
            if (Interlocked.CompareExchange(ref _state, Making, NotBegun) != NotBegun) return;
            try
            {
                Volatile.Write(ref _key, EphemeralKey.New());
            }
            catch (Exception)
            {
                // No random bytes on this thread: the taker tries again on its own and reports it.
            }
            finally
            {
                _made.Set();
            }
        }
    }

    /// <summary>Starts making a key on the thread pool unless one is ready or being made.</summary>
    public static void Prepare()
    {
        lock (Gate)
        {
            if (_prepared is null || _prepared.IsFaulted) _prepared = Task.Run(EphemeralKey.New);
        }
    }

    /// <summary>Whether a prepared key is ready to be taken (tests).</summary>
    internal static bool IsReady
    {
        get
        {
            lock (Gate) return _prepared is { IsCompletedSuccessfully: true };
        }
    }

    /// <summary>
    /// The prepared key if it is ready, else a new one made now; never waits for one being made
    /// (that stays for the next taker), so no thread blocks on the thread pool.
    /// </summary>
    public static EphemeralKey Take()
    {
        lock (Gate)
        {
            if (_prepared is { IsCompletedSuccessfully: true } ready)
            {
                _prepared = null;
                return ready.Result;
            }
        }
        return EphemeralKey.New();
    }
}
