namespace Iridium.Vm;

/// <summary>
/// The superinstructions the decoder fuses (see <see cref="SuperinstructionAttribute"/>). Each
/// saves the dispatches between its parts; each also costs a label, a dispatch site and a
/// 1 KiB jump table in the interpreter, so only sequences that programs use a lot belong here.
/// Chosen by x86 instruction counts (tools/bench/instructions.sh, callgrind).
/// </summary>
[Superinstruction("EQ|NEQ|GTE|LTE|LT|GT", "DJMPE")]
[Superinstruction("INC|DEC", "EQ|NEQ|GTE|LTE|LT|GT", "DJMPE")]
internal static class Superinstructions
{
}
