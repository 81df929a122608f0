using Iridium.Store.Raft;

namespace Iridium.Store.Tests.Support;

/// <summary>
/// Voters in one process, wired by direct calls, with faults injected where the mesh would have them:
/// a voter <see cref="Isolate"/>d reaches no one and no one reaches it (a partition), a voter
/// <see cref="Disconnect"/>ed is gone (killed) until a new node under its name connects. A request
/// or reply that crosses a cut made while it was in flight is lost, as on a broken connection.
/// </summary>
internal sealed class InMemoryNetwork
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Endpoint> endpoints = new();
    private readonly HashSet<string> isolated = new();

    public IStoreTransport Connect(string name)
    {
        var endpoint = new Endpoint(this, name);
        lock (gate) endpoints[name] = endpoint;
        return endpoint;
    }

    public void Disconnect(string name)
    {
        lock (gate) endpoints.Remove(name);
    }

    public void Isolate(string name)
    {
        lock (gate) isolated.Add(name);
    }

    public void Heal(string name)
    {
        lock (gate) isolated.Remove(name);
    }

    /// <summary>
    /// Delivers <paramref name="request"/> to <paramref name="to"/> as if the voter named
    /// <paramref name="from"/> had sent it: what an authenticated peer can send, whatever it is.
    /// </summary>
    public Task<IRaftReply> SendAs(string from, string to, IRaftRequest request)
    {
        Endpoint? target;
        lock (gate) target = endpoints.GetValueOrDefault(to);
        return target?.Handler is { } handler
            ? handler(from, request, CancellationToken.None)
            : throw new InvalidOperationException($"{to} is not on the network");
    }

    private bool Reachable(Endpoint from, string to, out Endpoint? target)
    {
        lock (gate)
        {
            target = endpoints.GetValueOrDefault(to);
            return target is { Handler: not null }
                && endpoints.GetValueOrDefault(from.Name) == from
                && !isolated.Contains(from.Name) && !isolated.Contains(to);
        }
    }

    private sealed class Endpoint(InMemoryNetwork network, string name) : IStoreTransport
    {
        public string Name => name;

        public Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>>? Handler { get; private set; }

        public void Serve(Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>> handler) => Handler = handler;

        public async Task<IRaftReply> RequestAsync(string voter, IRaftRequest request, CancellationToken token)
        {
            if (!network.Reachable(this, voter, out var target)) throw new VoterUnreachableException(voter, "no connection") { NotSent = true };
            // Off the caller's stack, as a message on a connection would be.
            var reply = await Task.Run(() => target!.Handler!(name, request, token), token).ConfigureAwait(false);
            if (!network.Reachable(this, voter, out _)) throw new VoterUnreachableException(voter, "connection lost");
            return reply;
        }
    }
}
