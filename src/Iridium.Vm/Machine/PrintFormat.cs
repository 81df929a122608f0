using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Iridium.Vm;

/// <summary>
/// The text PRTI, PRTF and PRTC print (docs/reference/isa.md), as UTF-8 bytes. Kept apart from the machine so
/// the exact forms are in one place and testable on their own.
/// </summary>
internal static class PrintFormat
{
    /// <summary>Enough for any PRTI text: "-2147483648".</summary>
    public const int MaxIntegerBytes = 11;

    /// <summary>
    /// Enough for any PRTF text: the longest are "-0.000001" followed by 17 digits (25 bytes) and
    /// "-d.dddddddddddddddde-308" (24 bytes).
    /// </summary>
    public const int MaxFloatBytes = 32;

    /// <summary>A Unicode scalar value is at most 4 bytes of UTF-8.</summary>
    public const int MaxScalarBytes = 4;

    /// <summary>PRTI: signed decimal, a '-' for negatives, no '+', no leading zeros.</summary>
    public static int Integer(int value, Span<byte> utf8)
    {
        Utf8Formatter.TryFormat(value, utf8, out int written);
        return written;
    }

    /// <summary>
    /// PRTC: the UTF-8 encoding of <paramref name="value"/> as a Unicode scalar value, or false when
    /// it is not one (negative, a surrogate U+D800..U+DFFF, or above U+10FFFF).
    /// </summary>
    public static bool TryScalar(int value, Span<byte> utf8, out int written)
    {
        written = 0;
        return Rune.TryCreate(value, out var rune) && rune.TryEncodeToUtf8(utf8, out written);
    }

    /// <summary>
    /// PRTF: the shortest decimal that reads back as the same double, laid out as ECMAScript's
    /// Number::toString does (JavaScript, JSON), because that layout is specified to the letter
    /// and familiar: with the shortest digits d1..dk and the value 0.d1..dk × 10^n,
    /// <list type="bullet">
    /// <item>plain decimal when -6 &lt; n ≤ 21: <c>0.1</c>, <c>1.5</c>, <c>0.000001</c>, <c>100000000000000000000</c>;</item>
    /// <item>otherwise one digit, the rest after a point, <c>e</c>, a sign and the exponent without
    /// leading zeros: <c>1e+21</c>, <c>1.5e-7</c>, <c>1.7976931348623157e+308</c>, <c>5e-324</c>.</item>
    /// </list>
    /// Unlike ECMAScript, negative zero keeps its sign (<c>-0</c>), and the non-finite values are
    /// <c>nan</c>, <c>inf</c> and <c>-inf</c> (the words the state JSON uses).
    /// </summary>
    public static int Float(double value, Span<byte> utf8)
    {
        if (double.IsNaN(value)) return Ascii("nan", utf8);
        if (double.IsPositiveInfinity(value)) return Ascii("inf", utf8);
        if (double.IsNegativeInfinity(value)) return Ascii("-inf", utf8);

        int at = 0;
        if (double.IsNegative(value))
        {
            utf8[at++] = (byte)'-';
            value = -value;
        }
        if (value == 0)
        {
            utf8[at++] = (byte)'0';
            return at;
        }

        Span<byte> digits = stackalloc byte[MaxFloatBytes];
        int k = ShortestDigits(value, digits, out int n);
        digits = digits[..k];

        if (k <= n && n <= 21)
        {
            at += Copy(digits, utf8[at..]);
            at += Fill((byte)'0', n - k, utf8[at..]);
        }
        else if (0 < n && n <= 21)
        {
            at += Copy(digits[..n], utf8[at..]);
            utf8[at++] = (byte)'.';
            at += Copy(digits[n..], utf8[at..]);
        }
        else if (-6 < n && n <= 0)
        {
            utf8[at++] = (byte)'0';
            utf8[at++] = (byte)'.';
            at += Fill((byte)'0', -n, utf8[at..]);
            at += Copy(digits, utf8[at..]);
        }
        else
        {
            utf8[at++] = digits[0];
            if (k > 1)
            {
                utf8[at++] = (byte)'.';
                at += Copy(digits[1..], utf8[at..]);
            }
            utf8[at++] = (byte)'e';
            utf8[at++] = n - 1 < 0 ? (byte)'-' : (byte)'+';
            Utf8Formatter.TryFormat(Math.Abs(n - 1), utf8[at..], out int exponentLength);
            at += exponentLength;
        }
        return at;
    }

    /// <summary>
    /// The shortest round-trip digits of a positive finite double, without leading or trailing
    /// zeros, and n such that the value is 0.digits × 10^n. .NET's "R" format already finds the
    /// shortest digits (since .NET Core 3.0); this only takes its layout apart.
    /// </summary>
    private static int ShortestDigits(double value, Span<byte> digits, out int n)
    {
        Span<byte> text = stackalloc byte[MaxFloatBytes];
        value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture);
        text = text[..length];

        int exponentAt = text.IndexOf((byte)'E');
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        int exponent = 0;
        if (exponentAt >= 0) Utf8Parser.TryParse(text[(exponentAt + 1)..], out exponent, out _);

        int k = 0;
        int beforePoint = -1;
        foreach (byte c in mantissa)
        {
            if (c == (byte)'.') beforePoint = k;
            else digits[k++] = c;
        }
        n = (beforePoint < 0 ? k : beforePoint) + exponent;

        int leadingZeros = digits[..k].IndexOfAnyExcept((byte)'0');
        digits[leadingZeros..k].CopyTo(digits);
        k -= leadingZeros;
        n -= leadingZeros;
        while (digits[k - 1] == (byte)'0') k--;
        return k;
    }

    private static int Ascii(string text, Span<byte> utf8)
    {
        for (int i = 0; i < text.Length; i++) utf8[i] = (byte)text[i];
        return text.Length;
    }

    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to)
    {
        from.CopyTo(to);
        return from.Length;
    }

    private static int Fill(byte value, int count, Span<byte> to)
    {
        to[..count].Fill(value);
        return count;
    }
}
