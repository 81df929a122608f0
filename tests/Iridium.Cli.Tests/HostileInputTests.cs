using System.Text;
using Iridium.Cli.Programs;

namespace Iridium.Cli.Tests;

/// <summary>
/// Inputs a user (or a typo) can give that once ended in exit 70, a 4 GB read or a hang: each now
/// gets a clear message and the exit status of its kind (66 input, 73 output, 78 config, 2 usage).
/// Run in-process through the whole command line.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public class HostileInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private CliRunner.Result Node(string configName, string configText)
        => CliRunner.Run("node", "--config", _dir.File(configName, configText), "--node-alias", "n1", "--data-root-dir", Path.Combine(_dir.Path, "data"));

    [Fact]
    public void TomlNestedPastTheParsersDepthIsAConfigError()
    {
        // 63 deep is a well-formed list of the wrong kind; 64 deep once escaped as TomlException (exit 70).
        var deep63 = Node("deep63.toml", "join = " + new string('[', 63) + new string(']', 63) + "\n");
        Assert.Equal(ExitCodes.Config, deep63.Status);
        var deep64 = Node("deep64.toml", "join = " + new string('[', 64) + new string(']', 64) + "\n");
        Assert.Equal(ExitCodes.Config, deep64.Status);
        Assert.StartsWith($"iridium: {_dir.Path}/deep64.toml", deep64.Error);
        Assert.Contains("depth", deep64.Error);
        Assert.DoesNotContain("internal error", deep64.Error);
        Assert.DoesNotContain("TomlSerializerOptions", deep64.Error);
    }

    [Fact]
    public void AJsonLoneSurrogateIsAConfigError()
    {
        var result = Node("sur.json", """{"node_alias": "\ud800"}""");
        Assert.Equal(ExitCodes.Config, result.Status);
        Assert.Contains("the value of 'node_alias' is not valid Unicode text", result.Error);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ACookieFileOnADeviceIsReadNoFurtherThanTheCookieCap()
    {
        var result = Node("zero.toml", "cookie_file = \"/dev/zero\"\n");
        Assert.Equal(ExitCodes.Config, result.Status);
        Assert.Equal("iridium: cannot read cookie file /dev/zero: larger than 4096 bytes\n", result.Error);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AConfigSymlinkedToADeviceIsAConfigError()
    {
        string link = Path.Combine(_dir.Path, "zero.toml");
        File.CreateSymbolicLink(link, "/dev/zero");
        var result = CliRunner.Run("node", "--config", link, "--data-root-dir", Path.Combine(_dir.Path, "data"));
        Assert.Equal(ExitCodes.Config, result.Status);
        Assert.Equal($"iridium: cannot read config file {link}: larger than 1048576 bytes\n", result.Error);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AConfigOnAFifoWithNoWriterGivesUpInsteadOfBlocking()
    {
        string fifo = Path.Combine(_dir.Path, "node.toml");
        CliRunner.MakeFifo(fifo);
        var run = Task.Run(() => CliRunner.Run("node", "--config", fifo, "--data-root-dir", Path.Combine(_dir.Path, "data")));
        try
        {
            // The reader waits 10 s for a writer; far less than this unless the machine is stalled.
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExitCodes.Config, result.Status);
            Assert.Contains($"cannot read config file {fifo}: nothing to read after 10 s", result.Error);
        }
        finally
        {
            // Release the abandoned open(2).
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
        }
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AStateFileThatCannotBeWrittenIs73()
    {
        var result = CliRunner.Run("run", Program("hello.iasm"), "--state-json", "/dev/full");
        Assert.Equal(ExitCodes.CannotCreate, result.Status);
        Assert.StartsWith("iridium: cannot write /dev/full: ", result.Error);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AProgramOnADeviceIsCutAtTheProgramCap()
    {
        var result = CliRunner.Run("run", "/dev/zero");
        Assert.Equal(ExitCodes.NoInput, result.Status);
        Assert.Equal($"iridium: cannot read /dev/zero: larger than {ProgramInput.MaxBytes} bytes\n", result.Error);

        string link = Path.Combine(_dir.Path, "zero.iasm");
        File.CreateSymbolicLink(link, "/dev/zero");
        Assert.Equal(ExitCodes.NoInput, CliRunner.Run(link).Status);
    }

    [Fact]
    public void EndlessStandardInputIsCutAtTheProgramCap()
    {
        var e = Assert.Throws<CommandFailure>(() => ProgramInput.Read("-", () => new BoundedInputTests.EndlessStream(Encoding.ASCII.GetBytes("nop\n"))));
        Assert.Equal(ExitCodes.NoInput, e.ExitCode);
        Assert.Equal($"cannot read standard input: larger than {ProgramInput.MaxBytes} bytes", e.Message);
    }

    [Theory]
    [InlineData("adv.toml", "advertise_host = \"a b\"\n", "'advertise_host' must be a host name or IP address, not the string \"a b\"")]
    [InlineData("bind.json", """{ "server_bind_host": "" }""", "'server_bind_host' must be a host name or IP address, not the string \"\"")]
    [InlineData("empty.toml", "node_alias = \"\"\n", "'node_alias' must be a non-empty string, not the string \"\"")]
    public void ConfigValuesAreValidated(string name, string text, string expected)
    {
        var result = Node(name, text);
        Assert.Equal(ExitCodes.Config, result.Status);
        Assert.Equal($"iridium: {_dir.Path}/{name}: {expected}\n", result.Error);
    }

    [Theory]
    [InlineData("--advertise-host", "a b", "--advertise-host must be a host name or IP address, not 'a b'")]
    [InlineData("-H", "no/such", "--server-bind-host must be a host name or IP address, not 'no/such'")]
    [InlineData("--node-alias", "", "--node-alias must be a non-empty string, not ''")]
    public void FlagValuesAreValidatedTheSameWay(string flag, string value, string expected)
    {
        var result = CliRunner.Run("node", flag, value, "--data-root-dir", Path.Combine(_dir.Path, "data"));
        Assert.Equal(ExitCodes.Usage, result.Status);
        Assert.StartsWith($"iridium: {expected}\n", result.Error);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("node-1.cluster.local")]
    [InlineData("10.0.0.1")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void HostNamesAndAddressesAreAccepted(string host) => Assert.True(Configuration.HostName.IsValid(host));

    private string Program(string name)
    {
        string path = Path.Combine(_dir.Path, name);
        File.Copy(Path.Combine(RepositoryRoot, "examples", name), path);
        return path;
    }

    internal static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Iridium.Aot.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("the repository root (Iridium.Aot.sln) is not above the test binaries");
        }
    }
}

/// <summary>Text for standard output that cannot be written is exit 73, not an internal error.</summary>
public class StandardOutputWriterTests
{
    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AFullDeviceIsAnOutputFailure()
    {
        using var writer = new Iridium.Cli.CommandLine.StandardOutputWriter(() => new FileStream("/dev/full", FileMode.Open, FileAccess.Write));
        var e = Assert.Throws<CommandFailure>(() => writer.WriteLine("Usage: iridium"));
        Assert.Equal(ExitCodes.CannotCreate, e.ExitCode);
        Assert.StartsWith("cannot write standard output: ", e.Message);
    }
}
