namespace Iridium.Cluster.Tests.Support;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task True(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
