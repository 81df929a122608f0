using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;

namespace Iridium.Cli.Tests;

/// <summary>TOML and JSON node config files: the same keys, the same checks, errors in the user's words.</summary>
public class ConfigFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Toml = """
        # a node config
        node_alias = "from-file"
        server_bind_host = "0.0.0.0"
        server_bind_port = 3000
        join = ["127.0.0.1:1", "[::1]:2"]
        port_search = 4
        heartbeat_ms = 250
        enable_remote_access = true
        max_steps = 500
        """;

    private const string Json = """
        {
          // comments and trailing commas allowed
          "node_alias": "from-file",
          "server_bind_host": "0.0.0.0",
          "server_bind_port": 3000,
          "join": ["127.0.0.1:1", "[::1]:2"],
          "port_search": 4,
          "heartbeat_ms": 250,
          "enable_remote_access": true,
          "max_steps": 500,
        }
        """;

    public static TheoryData<string, string> SameSettings => new() { { "node.toml", Toml }, { "node.json", Json } };

    [Theory, MemberData(nameof(SameSettings))]
    public void BothFormatsReadTheSameSettingsAndFlagsOverrideThem(string name, string text)
    {
        var file = ConfigFile.Load(_dir.File(name, text));
        Assert.Equal("from-file", file.Get(NodeSettingsSchema.NodeAlias));
        Assert.Equal(["127.0.0.1:1", "[::1]:2"], file.Get(NodeSettingsSchema.Join));
        Assert.True(file.Get(NodeSettingsSchema.EnableRemoteAccess));
        Assert.Equal(500, file.Get(NodeSettingsSchema.MaxSteps));

        var options = file.With(NodeSettings.Empty.Set(NodeSettingsSchema.ServerBindPort, 4000)).ToClusterOptions("alias", [1]);
        Assert.Equal(4000, options.BindPort);
        Assert.Equal("0.0.0.0", options.BindHost);
        Assert.Equal(4, options.PortSearch);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(Defaults.FailureTimeoutMs), options.FailureTimeout);
    }

    [Fact]
    public void ProcessLimitsComeFromTheFileWithDefaultsForTheRest()
    {
        var file = ConfigFile.Load(_dir.File("processes.toml", "schedulers = 3\nmax_processes = 1000\nmailbox_messages = 7\n"));
        var limits = file.ToClusterOptions("n1", [1]).Processes;
        Assert.Equal((3, 1000, 7), (limits.Schedulers, limits.MaxProcesses, limits.MailboxMessages));
        Assert.Equal((Iridium.Vm.ProcessLimits.DefaultMailboxBytes, Iridium.Vm.ProcessLimits.DefaultMaxMessageBytes), (limits.MailboxBytes, limits.MaxMessageBytes));
        Assert.Equal(262_144, NodeSettings.Empty.ProcessLimits().MaxProcesses);
    }

    [Fact]
    public void ExecLimitsComeFromTheFileWithDefaultsForTheRest()
    {
        var file = ConfigFile.Load(_dir.File("exec.toml", "exec_max_steps = 1000\nmax_frame_bytes = 131072\n"));
        var limits = file.ExecLimits(heapBudget: null);
        Assert.Equal(1000L, limits.MaxSteps);
        // The image cap stays within the configured frame cap, and the node accepts the result.
        Assert.Equal(65536, limits.MaxImageBytes);
        Assert.Null(limits.Problem(131072));
        Assert.Equal(Defaults.RemoteMaxHeapBytes, limits.MaxHeapBytes);

        var tooBig = ConfigFile.Load(_dir.File("big.toml", "exec_max_image_bytes = 2000000\n")).ExecLimits(null);
        Assert.Contains("image size cap", tooBig.Problem(Defaults.MaxFrameBytes));
    }

    [Fact]
    public void CamelCaseKeysOfOlderJsonFilesStillWork()
    {
        var file = ConfigFile.Load(_dir.File("old.json", """{ "nodeAlias": "n1", "serverBindPort": 2300, "heartbeatMs": 100 }"""));
        Assert.Equal("n1", file.Get(NodeSettingsSchema.NodeAlias));
        Assert.Equal(2300, file.Get(NodeSettingsSchema.ServerBindPort));
        Assert.Equal(100, file.Get(NodeSettingsSchema.HeartbeatMs));
    }

    [Theory]
    [InlineData("bad.toml", "node_aliass = \"typo\"", "bad.toml: unknown key 'node_aliass'; the keys are node_alias, server_bind_host, server_bind_port")]
    [InlineData("bad.json", """{ "nodeAliass": "typo" }""", "bad.json: unknown key 'nodeAliass'; the keys are node_alias,")]
    [InlineData("bad.toml", "server_bind_port = \"2254\"", "bad.toml: 'server_bind_port' must be a whole number from 0 to 65535, not the string \"2254\"")]
    [InlineData("bad.json", """{ "server_bind_port": 70000 }""", "bad.json: 'server_bind_port' must be a whole number from 0 to 65535, not the number 70000")]
    [InlineData("bad.toml", "join = \"127.0.0.1:1\"", "bad.toml: 'join' must be a list of HOST:PORT or dns:NAME:PORT strings, not the string")]
    [InlineData("bad.json", """{ "join": [1, 2] }""", "bad.json: 'join' must be a list of HOST:PORT or dns:NAME:PORT strings, not a list")]
    [InlineData("bad.toml", "[server]\nport = 1", "bad.toml: unknown key 'server'")]
    [InlineData("bad.json", """[1]""", "bad.json: expected an object of settings, found a list")]
    [InlineData("bad.toml", "heartbeat_ms = 0.5", "bad.toml: 'heartbeat_ms' must be a whole number of at least 1, not the number 0.5")]
    [InlineData("bad.json", """{ "verbose": "yes" }""", "bad.json: 'verbose' must be true or false, not the string \"yes\"")]
    [InlineData("bad.toml", "port_search = 1\nport_search = 2", "bad.toml:2:")]
    [InlineData("bad.json", """{ "port_search": 1, "port_search": 2 }""", "bad.json: key 'port_search' is set twice")]
    public void AProblemNamesTheFileAndTheKey(string name, string text, string expected)
    {
        var e = Assert.Throws<CommandFailure>(() => ConfigFile.Load(_dir.File(name, text)));
        Assert.Equal(ExitCodes.Config, e.ExitCode);
        Assert.StartsWith(_dir.Path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("syntax.toml", "node_alias = \"a\"\nserver_bind_port = = 2\n", ":2:")]
    [InlineData("syntax.json", "{\n  \"node_alias\": \"a\",\n  \"server_bind_port\" 2\n}", ":3:22:")]
    public void ASyntaxErrorGivesTheLineAndColumn(string name, string text, string location)
    {
        string path = _dir.File(name, text);
        var e = Assert.Throws<CommandFailure>(() => ConfigFile.Load(path));
        Assert.Equal(ExitCodes.Config, e.ExitCode);
        Assert.StartsWith(path + location, e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);
    }

    [Fact]
    public void TheFormatComesFromTheExtensionAndADirectoryIsSaidToBeOne()
    {
        Assert.Contains("must end in .toml or .json", Assert.Throws<CommandFailure>(() => ConfigFile.Load(_dir.File("node.conf", ""))).Message);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "dir.toml"));
        Assert.Contains("is a directory", Assert.Throws<CommandFailure>(() => ConfigFile.Load(Path.Combine(_dir.Path, "dir.toml"))).Message);
        Assert.Contains("cannot read config file", Assert.Throws<CommandFailure>(() => ConfigFile.Load(Path.Combine(_dir.Path, "none.toml"))).Message);
    }

    [Theory]
    [InlineData("server_bind_port", 65536L, "--server-bind-port must be a whole number from 0 to 65535, not 65536")]
    [InlineData("threads", 0L, "--threads must be a whole number from 1 to 4096, not 0")]
    [InlineData("max_steps", 0L, "--max-steps must be a whole number of at least 1, not 0")]
    [InlineData("schedulers", 0L, "--schedulers must be a whole number from 1 to 4096, not 0")]
    [InlineData("max_processes", 0L, "--max-processes must be a whole number of at least 1, not 0")]
    [InlineData("mailbox_bytes", -1L, "--mailbox-bytes must be a whole number of at least 0, not -1")]
    [InlineData("exec_max_image_bytes", 0L, "--exec-max-image-bytes must be a whole number of at least 1, not 0")]
    public void FlagsAreHeldToTheRangesOfTheirKeys(string key, long value, string expected)
    {
        string flag = "--" + key.Replace('_', '-');
        var e = Assert.Throws<CommandFailure>(() => NodeOptionParser.Parse([flag, value.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal(expected, e.Message);
        Assert.Null(NodeOptionParser.Parse([])!.Raw(NodeSettingsSchema.ByKey(key)!));
    }
}
