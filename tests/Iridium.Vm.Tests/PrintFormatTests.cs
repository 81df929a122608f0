using System.Globalization;
using System.Text;

namespace Iridium.Vm.Tests;

/// <summary>
/// PRTF's text over many doubles: it reads back to the same bits, it has as few significant
/// digits as any text that does, and it follows the documented layout.
/// </summary>
public class PrintFormatTests
{
    private static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[PrintFormat.MaxFloatBytes];
        return Encoding.ASCII.GetString(buffer[..PrintFormat.Float(value, buffer)]);
    }

    /// <summary>Random bit patterns (every exponent), plus short decimals and integers, seeded.</summary>
    private static IEnumerable<double> Samples()
    {
        var random = new Random(4801);
        for (int i = 0; i < 20_000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(value)) yield return value;
        }
        for (int i = 0; i < 5_000; i++) yield return Math.Round(random.NextDouble() * 1000, random.Next(0, 8));
        for (int i = 0; i < 5_000; i++) yield return random.NextInt64(-(1L << 62), 1L << 62) * Math.Pow(10, random.Next(-30, 30));
        for (int e = -325; e <= 308; e++) yield return Math.Pow(10, e);
    }

    [Fact]
    public void RoundTripsBitExactlyWithTheFewestDigits()
    {
        foreach (double value in Samples())
        {
            string text = Format(value);
            double back = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(back), $"{value:R} printed as {text} reads back as {back:R}");
            Assert.Equal(FewestDigits(value), SignificantDigits(text));
        }
    }

    [Fact]
    public void LayoutIsPlainFrom1eMinus6To1e21AndExponentialOutside()
    {
        foreach (double value in Samples())
        {
            string text = Format(Math.Abs(value));
            double magnitude = Math.Abs(value);
            bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
            Assert.True(plain == !text.Contains('e'), $"{value:R} printed as {text}");
            if (!plain) Assert.Matches(@"^[1-9](\.[0-9]*[1-9])?e[+-][1-9][0-9]*$", text);
            else Assert.Matches(@"^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$", text);
        }
    }

    /// <summary>Digit count of the shortest "E" format that round-trips: a search independent of the formatter.</summary>
    private static int FewestDigits(double value)
    {
        if (value == 0) return 1;
        for (int precision = 0; ; precision++)
        {
            string candidate = value.ToString("E" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (double.Parse(candidate, CultureInfo.InvariantCulture) == value) return precision + 1;
        }
    }

    private static int SignificantDigits(string text)
    {
        string mantissa = text.Split('e')[0].Replace("-", "").Replace(".", "").TrimStart('0').TrimEnd('0');
        return Math.Max(1, mantissa.Length);
    }
}
