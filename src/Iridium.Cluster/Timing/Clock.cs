namespace Iridium.Cluster.Timing;

/// <summary>
/// Milliseconds on the monotonic clock of a <see cref="TimeProvider"/>. The node takes its time
/// from <see cref="TimeProvider.System"/>; tests give it a fake one and move time by hand, so the
/// state machines are tested without sleeping.
/// </summary>
internal static class Clock
{
    public static long NowMs(this TimeProvider time) => time.GetTimestamp() * 1000 / time.TimestampFrequency;
}
