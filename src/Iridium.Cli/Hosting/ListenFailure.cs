using System.Net.Sockets;
using Iridium.Cluster;

namespace Iridium.Cli.Hosting;

/// <summary>A listener that cannot bind, said in the user's words: which address, and what to change.</summary>
internal static class ListenFailure
{
    /// <param name="what">What was to listen there ("cluster", "remote REPL").</param>
    /// <param name="remedy">The flags that choose another address, for "address already in use".</param>
    public static CommandFailure For(string what, string host, int port, SocketException e, string remedy)
    {
        string address = HostPort.Format(host, port);
        string reason = e.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"address already in use (another iridium there?); {remedy}",
            SocketError.AddressNotAvailable => "no interface of this machine has that address",
            SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
            _ => e.Message,
        };
        return new CommandFailure(ExitCodes.Unavailable, $"cannot listen on {address} ({what}): {reason}");
    }
}
