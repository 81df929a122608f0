namespace Iridium.Vm;

/// <summary>
/// The superinstructions the decoder fuses (see <see cref="SuperinstructionAttribute"/>): common
/// idioms of Iridium assembly, found by counting adjacent instruction pairs in the benchmark
/// programs and examples, and kept when callgrind showed fewer x86 instructions
/// (tools/bench/instructions.sh). Each one saves the dispatches between its parts but costs a
/// label, a dispatch site and a jump table in the interpreter (this list made the binary 0.2 MB
/// larger), so rare sequences do not belong here.
/// </summary>
// A recursive function's base case: test, branch to the recursive part, else return a register
// (a move) or a constant. Most calls of a recursion end here (three in four of tak's), so the
// whole leaf call runs as one dispatch after the CALL.
[Superinstruction("EQ|NEQ|GTE|LTE|LT|GT", "DJMPE", "LOAD|ADD", "RET")]
// Every conditional: a comparison, then DJMPE on the flag it set.
[Superinstruction("EQ|NEQ|GTE|LTE|LT|GT|EQF64|NEQF64|GTF64|GTEF64|LTF64|LTEF64", "DJMPE")]
// Counted loops: step the counter, compare it, branch back. When that is the whole loop (the
// branch targets the INC/DEC), the loop variant goes round without a dispatch.
[Superinstruction("INC|DEC", "EQ|NEQ|GTE|LTE|LT|GT", "DJMPE", Loops = true)]
// Testing a word just read from the heap.
[Superinstruction("LOADM", "EQ|NEQ|GTE|LTE|LT|GT", "DJMPE")]
// Heap access: compute the offset, then load or store; step after a store.
[Superinstruction("ADD|SUB|MUL", "LOADM|SETM")]
[Superinstruction("SETM", "ADD|SUB|INC|DEC")]
// An unconditional jump goes through a register: load the label (or step a counter), then JMP.
[Superinstruction("LOAD|ADD|SUB|INC|DEC", "JMP")]
// Calls: set up an argument or save a register, then CALL; returns: compute or restore the result, then RET.
[Superinstruction("LOAD|ADD|SUB|INC|DEC|PUSH|POP", "CALL")]
// Setting up the arguments of a call: moves (ADD with a zero register) and steps, or saving a
// register and stepping the argument (fib's `push $0; dec $0; call`, tak's argument shuffles).
[Superinstruction("ADD|INC|DEC", "ADD|INC|DEC", "CALL")]
[Superinstruction("PUSH|POP", "INC|DEC", "CALL")]
// A recursive call with three arguments in registers (tak): save them, step one, call; restore
// them after the call and save its result; shuffle them into the next call's order (moves and a
// step); take saved results back off the stack into arguments for the last call. Each runs as
// one dispatch instead of two or three (tak: 9 dispatches a round of four calls instead of 15).
[Superinstruction("PUSH", "PUSH", "PUSH", "INC|DEC", "CALL")]
[Superinstruction("POP", "POP", "POP", "PUSH")]
// Between two calls that take the same three registers: restore them, save the first call's
// result, save them again and start the next call's moves (tak: 8 dispatches a round of four
// calls instead of 10).
[Superinstruction("POP", "POP", "POP", "PUSH", "PUSH", "PUSH", "PUSH", "ADD")]
[Superinstruction("POP", "POP", "POP", "PUSH", "ADD", "ADD")]
[Superinstruction("PUSH", "PUSH", "PUSH", "ADD")]
[Superinstruction("ADD", "INC|DEC", "ADD", "ADD", "CALL")]
[Superinstruction("ADD", "POP", "POP", "CALL")]
[Superinstruction("LOAD|ADD|SUB|POP", "RET")]
// Saving and restoring registers around calls, and moves (ADD with a zero register).
[Superinstruction("PUSH|POP|ADD", "PUSH|POP|ADD|SUB|INC|DEC")]
[Superinstruction("PUSH", "PUSH", "PUSH")]
[Superinstruction("POP", "POP", "POP")]
// Float arithmetic.
[Superinstruction("ADDF64|SUBF64|MULF64|DIVF64", "ADDF64|SUBF64|MULF64|DIVF64")]
internal static class Superinstructions
{
}
