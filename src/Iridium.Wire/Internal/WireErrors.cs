using System.Diagnostics.CodeAnalysis;

namespace Iridium.Wire.Internal;

/// <summary>Throw helpers, kept out of line so the hot read paths stay small.</summary>
internal static class WireErrors
{
    [DoesNotReturn]
    public static void Throw(string message) => throw new WireFormatException(message);

    [DoesNotReturn]
    public static void Truncated(int needed, int remaining)
        => throw new WireFormatException($"Input ends early: {needed} bytes needed, {remaining} remain.");
}
