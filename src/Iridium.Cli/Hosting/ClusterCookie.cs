using System.Text;
using Iridium.Crypto;
using Iridium.Files;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The shared secret of a cluster, as Erlang's cookie: <c>--cookie-file PATH</c>, else the
/// <c>IRIDIUM_COOKIE</c> environment variable, else <c>&lt;data-root&gt;/cookie</c>, created with a
/// random value and mode 0600 when missing so every node on a host shares it. The cookie never
/// crosses the wire: peers prove they know it with HMAC-SHA256 over nonces.
/// </summary>
internal static class ClusterCookie
{
    public const string EnvironmentVariable = "IRIDIUM_COOKIE";
    public const string FileName = "cookie";
    private const int MaxLength = 4096;

    /// <summary>How long a node waits for a cookie file another node has just created to get its value.</summary>
    private const int CreationWaitMs = 5000;

    /// <summary>Where a cookie came from, for logs (never log the cookie itself).</summary>
    public sealed record Source(byte[] Secret, string Origin);

    /// <summary>
    /// Loads the cookie; <see cref="CommandFailure"/> (config) with a clear reason when it cannot.
    /// <paramref name="dataRoot"/> is asked for only when neither the flag nor the variable is set.
    /// </summary>
    public static Source Load(string? cookieFile, Func<string> dataRoot)
    {
        if (!string.IsNullOrEmpty(cookieFile)) return new Source(ReadFile(cookieFile), cookieFile);

        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return new Source(Validate(fromEnvironment, EnvironmentVariable), "$" + EnvironmentVariable);

        string path = Path.Combine(dataRoot(), FileName);
        if (!File.Exists(path)) TryCreate(path);
        WaitWhileEmpty(path);
        return new Source(ReadFile(path), path);
    }

    /// <summary>
    /// Nodes started together on one data root race to create its cookie: the loser can find the
    /// winner's file created but its value not yet written. It waits for the value (briefly: a file
    /// that stays empty is then reported as empty).
    /// </summary>
    private static void WaitWhileEmpty(string path)
    {
        long deadline = Environment.TickCount64 + CreationWaitMs;
        while (new FileInfo(path) is { Exists: true, Length: 0 } && Environment.TickCount64 < deadline) Thread.Sleep(10);
    }

    /// <summary>Creates a cookie file with a random value, readable only by its owner. Losing a creation race is fine.</summary>
    private static void TryCreate(string path)
    {
        string value = Convert.ToBase64String(SecureRandom.Bytes(24)).Replace('+', 'A').Replace('/', 'B');
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(value));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node on this host created it first: use theirs.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailure.Config($"cannot create cookie file {path}: {e.Message}");
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return Validate(BoundedInput.ReadAllText(path, MaxLength), path);
        }
        catch (InputFileException e)
        {
            throw CommandFailure.Config($"cannot read cookie file {path}: {e.Message}");
        }
    }

    private static byte[] Validate(string text, string origin)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0) throw CommandFailure.Config($"cookie from {origin} is empty");
        return Encoding.UTF8.GetBytes(trimmed);
    }
}
