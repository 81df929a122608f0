using Iridium.Cluster.Client;

namespace Iridium.Cli.Hosting;

/// <summary>What a cluster client's failure means for the exit status: a refused cookie (77) or an unavailable node (69).</summary>
internal static class ClientFailure
{
    public static CommandFailure From(ClusterClientException e)
        => new(e.AuthenticationFailed ? ExitCodes.NoPermission : ExitCodes.Unavailable, e.Message);
}
