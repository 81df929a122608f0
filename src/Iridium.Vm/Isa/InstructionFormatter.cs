using System.Globalization;
using System.Text;

namespace Iridium.Vm;

/// <summary>
/// Renders one encoded instruction as assembly text (upper-case mnemonic, operands as the
/// assembler writes them), driven by the opcode metadata. Used in fault messages and as the
/// base of the disassembler.
/// </summary>
public static class InstructionFormatter
{
    /// <summary>
    /// Formats the instruction starting at <paramref name="bytes"/>[0]. Fewer than 4 bytes are
    /// read as zero padding. An undefined opcode byte renders as <c>IGL</c>; so do operand
    /// bytes a definition does not use (they are ignored by the VM).
    /// </summary>
    public static string Format(ReadOnlySpan<byte> bytes, Func<int, string?>? addressLabel = null)
    {
        Span<byte> word = stackalloc byte[4];
        word.Clear();
        bytes[..Math.Min(4, bytes.Length)].CopyTo(word);
        var info = OpcodeTable.Find(word[0]) ?? OpcodeTable.Illegal;
        var sb = new StringBuilder(info.Mnemonic);
        int position = 1;
        foreach (var kind in info.Operands)
        {
            int value = kind.Width() == 1 ? word[position] : (word[position] << 8) | word[position + 1];
            position += kind.Width();
            switch (kind)
            {
                case OperandKind.Register:
                case OperandKind.FloatRegister:
                    sb.Append(" $").Append(value.ToString(CultureInfo.InvariantCulture));
                    break;
                case OperandKind.Count:
                    // 0 means "omitted" (shift by 16); writing nothing round-trips to the same byte.
                    if (value != 0) sb.Append(" #").Append(value.ToString(CultureInfo.InvariantCulture));
                    break;
                case OperandKind.Address when addressLabel?.Invoke(value) is { } label:
                    sb.Append(" @").Append(label);
                    break;
                default:
                    sb.Append(" #").Append(value.ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }
        return sb.ToString();
    }
}
