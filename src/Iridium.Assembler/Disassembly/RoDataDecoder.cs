using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Iridium.Assembler.Disassembly;

internal enum RoEntryKind { Asciiz, Integer, Bytes }

/// <summary>One directive of the recovered <c>.data</c> section: <see cref="Length"/> ro bytes from <see cref="Offset"/>.</summary>
internal readonly record struct RoEntry(RoEntryKind Kind, int Offset, int Length, string? Label);

/// <summary>
/// Splits the ro section into directives that reassemble to the same bytes. The ro section has no
/// type information, so this guesses: printable NUL-terminated UTF-8 text is a string (always at a
/// PRTS target, otherwise only if at least two characters long), 4 bytes are an integer, and
/// whatever is left becomes <c>.bytes</c>. Every guess round-trips, so a wrong guess only costs
/// readability.
/// </summary>
internal static class RoDataDecoder
{
    private const int MinUnhintedStringLength = 2;
    private const int MaxBytesPerLine = 16;

    /// <param name="ro">The ro section.</param>
    /// <param name="stringStarts">Offsets PRTS instructions print from: strings should start there.</param>
    public static List<RoEntry> Decode(ReadOnlySpan<byte> ro, ISet<int> stringStarts)
    {
        var sortedStarts = stringStarts.Order().ToArray();
        var entries = new List<RoEntry>();
        int rawStart = -1;
        int p = 0;
        // Both caches keep this linear on hostile input (megabytes without a NUL, or text that
        // turns unlistable just before its NUL): without them every offset would rescan to the NUL.
        int nextNul = -1;
        int unlistableUpTo = -1;   // strings starting at or before this offset contain a bad byte
        while (p < ro.Length)
        {
            bool hinted = stringStarts.Contains(p);
            int kindLength = 0;
            var kind = RoEntryKind.Bytes;
            if (nextNul < p)
            {
                int found = ro[p..].IndexOf((byte)0);
                nextNul = found < 0 ? int.MaxValue : p + found;
            }
            int nul = nextNul == int.MaxValue ? -1 : nextNul - p;
            bool textOk = false;
            // A string cannot be split, so one running over another PRTS target is only taken when
            // PRTS also prints it from its start; otherwise the target gets its own directive.
            bool wanted = hinted || (nul >= MinUnhintedStringLength && !HintInside(sortedStarts, p, nul + 1));
            if (nul >= 0 && wanted && p > unlistableUpTo)
            {
                int bad = FirstUnlistable(ro.Slice(p, nul));
                if (bad >= 0) unlistableUpTo = p + bad;
                textOk = bad < 0;
            }
            if (textOk)
            {
                kind = RoEntryKind.Asciiz;
                kindLength = nul + 1;
            }
            else if (p + 4 <= ro.Length && !HintInside(sortedStarts, p, 4))
            {
                kind = RoEntryKind.Integer;
                kindLength = 4;
            }

            bool startsRawRun = kind == RoEntryKind.Bytes && (rawStart < 0 || hinted || p - rawStart >= MaxBytesPerLine);
            if (rawStart >= 0 && (kind != RoEntryKind.Bytes || startsRawRun))
            {
                entries.Add(new RoEntry(RoEntryKind.Bytes, rawStart, p - rawStart, Label(RoEntryKind.Bytes, rawStart, stringStarts)));
                rawStart = -1;
            }
            if (kind == RoEntryKind.Bytes)
            {
                if (rawStart < 0) rawStart = p;
                p++;
                continue;
            }
            entries.Add(new RoEntry(kind, p, kindLength, Label(kind, p, stringStarts)));
            p += kindLength;
        }
        if (rawStart >= 0) entries.Add(new RoEntry(RoEntryKind.Bytes, rawStart, ro.Length - rawStart, Label(RoEntryKind.Bytes, rawStart, stringStarts)));
        return entries;
    }

    /// <summary>The directive text (without label) for an entry.</summary>
    public static string Render(in RoEntry entry, ReadOnlySpan<byte> ro)
    {
        var bytes = ro.Slice(entry.Offset, entry.Length);
        return entry.Kind switch
        {
            RoEntryKind.Asciiz => $".asciiz '{Encoding.UTF8.GetString(bytes[..^1])}'",
            RoEntryKind.Integer => $".integer #{BinaryPrimitives.ReadInt32LittleEndian(bytes)}",
            _ => RawBytes(bytes),
        };
    }

    /// <summary><c>.bytes #b #b ...</c> for raw bytes.</summary>
    public static string RawBytes(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(".bytes");
        foreach (byte b in bytes) sb.Append(" #").Append(b);
        return sb.ToString();
    }

    /// <summary>
    /// Generated label: .asciiz and .integer need one (docs/reference/assembly.md); .bytes gets one only
    /// where PRTS points at it.
    /// </summary>
    private static string? Label(RoEntryKind kind, int offset, ISet<int> stringStarts) => kind switch
    {
        RoEntryKind.Asciiz => $"str{offset}",
        RoEntryKind.Integer => $"int{offset}",
        _ => stringStarts.Contains(offset) ? $"data{offset}" : null,
    };

    /// <summary>
    /// Index of the first byte that keeps <paramref name="bytes"/> out of a <c>'…'</c> literal, or −1.
    /// Listable text is valid UTF-8 with no quote and no control characters except tab, so it
    /// re-encodes to the same bytes and a terminal can show it.
    /// </summary>
    private static int FirstUnlistable(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out int consumed) != OperationStatus.Done) return i;
            if (rune.Value == '\'' || (Rune.IsControl(rune) && rune.Value != '\t')) return i;
            i += consumed;
        }
        return -1;
    }

    /// <summary>True when a target lies in (offset, offset + length): binary search, so long strings stay cheap.</summary>
    private static bool HintInside(int[] sortedStarts, int offset, int length)
    {
        int index = Array.BinarySearch(sortedStarts, offset + 1);
        if (index < 0) index = ~index;
        return index < sortedStarts.Length && sortedStarts[index] < offset + length;
    }
}
