using Iridium.Cli.Hosting;

namespace Iridium.Cli.Tests;

/// <summary>Data root, cookie and alias: resolved where the process settings say, once, and only when needed.</summary>
[Collection(EnvironmentCollection.Name)]
public class HostingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string? _savedCookie = Environment.GetEnvironmentVariable(ClusterCookie.EnvironmentVariable);

    public HostingTests() => Environment.SetEnvironmentVariable(ClusterCookie.EnvironmentVariable, null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ClusterCookie.EnvironmentVariable, _savedCookie);
        _dir.Dispose();
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void TheCookieIsCreatedOnceInTheDataRootWithOwnerOnlyMode()
    {
        var first = ClusterCookie.Load(null, () => _dir.Path);
        var second = ClusterCookie.Load(null, () => _dir.Path);
        Assert.Equal(first.Secret, second.Secret);
        Assert.True(first.Secret.Length >= 20);
        string file = Path.Combine(_dir.Path, "cookie");
        Assert.Equal(file, first.Origin);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task ANodeThatLosesTheCookieCreationRaceWaitsForTheWinnersValue()
    {
        // The winner has created the file but not yet written it (nodes started together on one data root).
        string file = _dir.File("cookie", "");
        var load = Task.Run(() => ClusterCookie.Load(null, () => _dir.Path));
        await Task.Delay(200);
        Assert.False(load.IsCompleted, "the cookie was read while still empty");
        await File.WriteAllTextAsync(file, "winners-cookie");
        Assert.Equal("winners-cookie"u8.ToArray(), (await load.WaitAsync(TimeSpan.FromSeconds(30))).Secret);
    }

    [Fact]
    public void ACookieFileWinsOverTheEnvironmentAndIsTrimmed()
    {
        Environment.SetEnvironmentVariable(ClusterCookie.EnvironmentVariable, "from-env");
        string file = _dir.File("mine", "  secret\n");
        Assert.Equal("secret"u8.ToArray(), ClusterCookie.Load(file, () => throw new InvalidOperationException("no data root needed")).Secret);
        Assert.Equal("from-env"u8.ToArray(), ClusterCookie.Load(null, () => throw new InvalidOperationException("no data root needed")).Secret);
    }

    [Fact]
    public void AnEmptyOrMissingCookieFileIsAConfigError()
    {
        string empty = _dir.File("empty", "\n");
        var e = Assert.Throws<CommandFailure>(() => ClusterCookie.Load(empty, () => _dir.Path));
        Assert.Equal(ExitCodes.Config, e.ExitCode);
        Assert.Contains("empty", e.Message);
        Assert.Contains("cannot read cookie file", Assert.Throws<CommandFailure>(() => ClusterCookie.Load(Path.Combine(_dir.Path, "nope"), () => _dir.Path)).Message);
    }

    [Fact]
    public void AnExplicitDataRootIsCreatedAndAnUncreatableOneIsAConfigError()
    {
        string root = Path.Combine(_dir.Path, "a", "b");
        Assert.Equal(root, DataRoot.Resolve(root));
        Assert.True(Directory.Exists(root));
        string blocker = _dir.File("file", "");
        var e = Assert.Throws<CommandFailure>(() => DataRoot.Resolve(Path.Combine(blocker, "sub")));
        Assert.Equal(ExitCodes.Config, e.ExitCode);
        Assert.Contains("cannot create the data root", e.Message);
    }

    [Fact]
    public void TheAliasComesFromTheFlagThenTheDataRootsNodeIdThenANewUuid()
    {
        Assert.Equal("flag", NodeAlias.Resolve(" flag ", _dir.Path));
        string fresh = NodeAlias.Resolve(null, _dir.Path);
        Assert.True(Guid.TryParse(fresh, out _));
        Assert.Equal(fresh, File.ReadAllText(Path.Combine(_dir.Path, ".node_id")));
        Assert.Equal(fresh, NodeAlias.Resolve(null, _dir.Path));
        File.WriteAllText(Path.Combine(_dir.Path, ".node_id"), "  stored\n");
        Assert.Equal("stored", NodeAlias.Resolve(null, _dir.Path));
        Assert.True(Guid.TryParse(NodeAlias.Resolve(null, dataRoot: null), out _));
    }

    [Fact]
    public void TheProcessContextCreatesNothingUntilAskedAndResolvesEachValueOnce()
    {
        string root = Path.Combine(_dir.Path, "root");
        var process = new ProcessContext(new ProcessSettings(root, CookieFile: null, NodeAlias: null));
        Assert.False(Directory.Exists(root));
        Assert.Null(process.GivenAlias);

        string alias = process.Alias;
        Assert.True(File.Exists(Path.Combine(root, ".node_id")));
        Assert.False(File.Exists(Path.Combine(root, "cookie")));
        File.Delete(Path.Combine(root, ".node_id"));
        Assert.Equal(alias, process.Alias); // resolved once: not read again

        byte[] cookie = process.Cookie;
        Assert.Equal(cookie, File.ReadAllText(Path.Combine(root, "cookie")).Trim().Select(c => (byte)c).ToArray());
        Assert.Equal(Path.Combine(root, "programs"), process.ProgramDirectory);
    }

    [Fact]
    public void ADataRootThatCannotBeCreatedIsReportedOnceAndTheAliasStillResolves()
    {
        string blocker = _dir.File("file", "");
        var process = new ProcessContext(new ProcessSettings(Path.Combine(blocker, "root"), null, null));
        Assert.Null(process.TryGetDataRoot(out string? problem));
        Assert.Contains("cannot create the data root", problem);
        Assert.True(Guid.TryParse(process.Alias, out _));
        Assert.Equal(ExitCodes.Config, Assert.Throws<CommandFailure>(() => process.Cookie).ExitCode);
    }
}

/// <summary>
/// Tests that change process-wide state (environment variables, the console's writers, the exit
/// code: every in-process run of the command line) do not run in parallel with any other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "environment";
}
