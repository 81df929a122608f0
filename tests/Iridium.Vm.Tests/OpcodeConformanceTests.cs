namespace Iridium.Vm.Tests;

/// <summary>
/// Opcode semantics, one data-driven test per family. Each row: name, initial state, code
/// (4-byte words at address 68, 72, ...), expected state, and outcome. Rows follow docs/reference/isa.md's
/// fixtures and PROPOSED rules, including "a faulting instruction has no effect".
/// </summary>
public class OpcodeConformanceTests
{
    private const string Hlt = "05 00 00 00";

    public static TheoryData<string, string, string, string, string> Arithmetic => new()
    {
        { "LOAD fixture 500", "", "00 00 01 F4|" + Hlt, "R0=500 PC=76", "stop 0" },
        { "LOAD zero-extends", "", "00 05 FF FF|" + Hlt, "R5=65535", "stop 0" },
        { "ADD", "R0=2 R1=3", "01 00 01 02|" + Hlt, "R2=5", "stop 0" },
        { "ADD destination is a source", "R0=7", "01 00 00 00|" + Hlt, "R0=14", "stop 0" },
        { "ADD wraps", "R0=2147483647 R1=1", "01 00 01 02|" + Hlt, "R2=-2147483648", "stop 0" },
        { "SUB", "R0=2 R1=3", "02 00 01 02|" + Hlt, "R2=-1", "stop 0" },
        { "SUB wraps", "R0=-2147483648 R1=1", "02 00 01 02|" + Hlt, "R2=2147483647", "stop 0" },
        { "MUL", "R0=-4 R1=5", "03 00 01 02|" + Hlt, "R2=-20", "stop 0" },
        { "MUL wraps", "R0=65536 R1=65536", "03 00 01 02|" + Hlt, "R2=0", "stop 0" },
        { "DIV 500/3", "R0=500 R1=3", "04 00 01 02|" + Hlt, "R2=166 REM=2", "stop 0" },
        { "DIV truncates toward zero", "R0=-17 R1=5", "04 00 01 02|" + Hlt, "R2=-3 REM=-2", "stop 0" },
        { "DIV negative divisor", "R0=17 R1=-5", "04 00 01 02|" + Hlt, "R2=-3 REM=2", "stop 0" },
        { "DIV MIN by -1", "R0=-2147483648 R1=-1", "04 00 01 02|" + Hlt, "R2=-2147483648 REM=0", "stop 0" },
        { "DIV by zero has no effect", "R0=5 R1=0 R2=9", "04 00 01 02|" + Hlt, "R2=9 REM=0 PC=68", "fault DIVZERO" },
        { "DIV by zero keeps the old remainder", "R0=7 R1=2 R3=0", "04 00 01 02|04 00 03 02|" + Hlt, "R2=3 REM=1 PC=72", "fault DIVZERO" },
        { "INC", "R3=41", "12 03 00 00|" + Hlt, "R3=42", "stop 0" },
        { "INC wraps", "R3=2147483647", "12 03 00 00|" + Hlt, "R3=-2147483648", "stop 0" },
        { "DEC wraps", "R3=-2147483648", "13 03 00 00|" + Hlt, "R3=2147483647", "stop 0" },
        { "SHL fixture n=0 means 16", "R0=5", "21 00 00 00|" + Hlt, "R0=327680", "stop 0" },
        { "SHR fixture n=0 means 16", "R0=5", "22 00 00 00|" + Hlt, "R0=0", "stop 0" },
        { "SHL by 3", "R0=5", "21 00 03 00|" + Hlt, "R0=40", "stop 0" },
        { "SHR is arithmetic", "R0=-8", "22 00 01 00|" + Hlt, "R0=-4", "stop 0" },
        { "SHL amount modulo 32", "R0=5", "21 00 21 00|" + Hlt, "R0=10", "stop 0" },
        { "SHL drops high bits", "R0=-1", "21 00 1F 00|" + Hlt, "R0=-2147483648", "stop 0" },
        { "AND", "R0=12 R1=10", "23 00 01 02|" + Hlt, "R2=8", "stop 0" },
        { "OR", "R0=12 R1=10", "24 00 01 02|" + Hlt, "R2=14", "stop 0" },
        { "XOR", "R0=12 R1=10", "25 00 01 02|" + Hlt, "R2=6", "stop 0" },
        { "NOT fixture", "R0=5", "26 00 01 00|" + Hlt, "R1=-6", "stop 0" },
        { "LUI fixture", "R0=0", "27 00 00 01|" + Hlt, "R0=1", "stop 0" },
        { "LUI shifts the old value up", "R0=1", "27 00 00 02|" + Hlt, "R0=65538", "stop 0" },
        { "LUI loses the top half", "R0=305419896", "27 00 AB CD|" + Hlt, "R0=1450748877", "stop 0" },
        { "LOAD+LUI builds -1", "", "00 00 FF FF|27 00 FF FF|" + Hlt, "R0=-1", "stop 0" },
        { "LOAD+LUI builds 70000", "", "00 00 00 01|27 00 11 70|" + Hlt, "R0=70000", "stop 0" },
        { "arithmetic leaves the flag alone", "EQ=1 R0=1", "01 00 00 01|" + Hlt, "EQ=1 R1=2", "stop 0" },
    };

    public static TheoryData<string, string, string, string, string> Comparisons => new()
    {
        { "EQ true", "R0=5 R1=5", "09 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "EQ false clears", "EQ=1 R0=5 R1=6", "09 00 01 00|" + Hlt, "EQ=0", "stop 0" },
        { "NEQ", "R0=5 R1=6", "0A 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "GTE equal", "R0=5 R1=5", "0B 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "LTE", "R0=-5 R1=5", "0C 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "LT is signed", "R0=-1 R1=0", "0D 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "GT is signed", "R0=-1 R1=0", "0E 00 01 00|" + Hlt, "EQ=0", "stop 0" },
        { "EQF64 equal", "F0=1.5 F1=1.5", "1B 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "EQF64 within epsilon", "F0=0.30000000000000004 F1=0.3", "1B 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "EQF64 exactly epsilon apart is not equal", "F0=1.0000000000000002 F1=1", "1B 00 01 00|" + Hlt, "EQ=0", "stop 0" },
        { "NEQF64 exactly epsilon apart", "F0=1.0000000000000002 F1=1", "1C 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "EQF64 NaN", "EQ=1 F0=nan F1=nan", "1B 00 01 00|" + Hlt, "EQ=0", "stop 0" },
        { "NEQF64 NaN is true", "F0=nan F1=1", "1C 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "NEQF64 equal is false", "EQ=1 F0=2 F1=2", "1C 00 01 00|" + Hlt, "EQ=0", "stop 0" },
        { "GTF64", "F0=2 F1=1", "1D 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "GTEF64", "F0=1 F1=1", "1E 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "LTF64", "F0=-inf F1=1", "1F 00 01 00|" + Hlt, "EQ=1", "stop 0" },
        { "LTEF64 NaN is false", "EQ=1 F0=nan F1=1", "20 00 01 00|" + Hlt, "EQ=0", "stop 0" },
    };

    public static TheoryData<string, string, string, string, string> Floats => new()
    {
        { "LOADF64", "", "16 03 01 F4|" + Hlt, "F3=500", "stop 0" },
        { "LOADF64 is unsigned", "", "16 03 FF FF|" + Hlt, "F3=65535", "stop 0" },
        { "ADDF64", "F0=1.5 F1=2.25", "17 00 01 02|" + Hlt, "F2=3.75", "stop 0" },
        { "SUBF64", "F0=1.5 F1=2.25", "18 00 01 02|" + Hlt, "F2=-0.75", "stop 0" },
        { "MULF64", "F0=1.5 F1=2.25", "19 00 01 02|" + Hlt, "F2=3.375", "stop 0" },
        { "DIVF64", "F0=1 F1=4", "1A 00 01 02|" + Hlt, "F2=0.25", "stop 0" },
        { "DIVF64 by zero is inf", "F0=1 F1=0", "1A 00 01 02|" + Hlt, "F2=inf", "stop 0" },
        { "DIVF64 negative by zero", "F0=-1 F1=0", "1A 00 01 02|" + Hlt, "F2=-inf", "stop 0" },
        { "DIVF64 zero by zero is NaN", "F0=0 F1=0", "1A 00 01 02|" + Hlt, "F2=nan", "stop 0" },
        { "float ops leave integer registers", "R2=9 F0=1 F1=1", "17 00 01 02|" + Hlt, "R2=9 F2=2 REM=0", "stop 0" },
    };

    public static TheoryData<string, string, string, string, string> Control => new()
    {
        { "HLT leaves pc after it", "", Hlt, "PC=72", "stop 0" },
        { "IGL", "", "64 00 00 00", "PC=72", "stop 1" },
        { "undefined byte 65 is IGL", "", "41 00 00 00", "PC=72", "stop 1" },
        { "undefined byte 255 is IGL", "", "FF 00 00 00", "", "stop 1" },
        { "running off the end", "", "00 00 00 05", "R0=5 PC=72", "stop 1" },
        { "NOP", "R0=1", "10 00 00 00|" + Hlt, "R0=1 PC=76", "stop 0" },
        { "JMP skips an instruction", "R0=76", "06 00 00 00|00 01 00 01|" + Hlt, "R1=0", "stop 0" },
        { "JMP unaligned faults", "R0=70", "06 00 00 00|00 01 00 01|" + Hlt, "PC=68 R1=0", "fault JUMP" },
        { "JMP into the header faults", "R0=0", "06 00 00 00|" + Hlt, "PC=68", "fault JUMP" },
        { "JMP negative faults", "R0=-4", "06 00 00 00|" + Hlt, "PC=68", "fault JUMP" },
        { "JMP to the end stops", "R0=76", "06 00 00 00|" + Hlt, "PC=76", "stop 1" },
        { "JMP past the end faults", "R0=80", "06 00 00 00|" + Hlt, "PC=68", "fault JUMP" },
        { "JMPF offset 6 skips one", "R0=6", "07 00 00 00|00 01 00 01|" + Hlt, "R1=0", "stop 0" },
        { "JMPF offset 2 is the next", "R0=2", "07 00 00 00|00 01 00 01|" + Hlt, "R1=1", "stop 0" },
        { "JMPF odd offset faults", "R0=3", "07 00 00 00|" + Hlt, "PC=68", "fault JUMP" },
        { "JMPB and JMPE loop", "R0=14 R2=3 R3=84", "12 01 00 00|0E 01 02 00|0F 03 00 00|08 00 00 00|" + Hlt, "R1=4", "stop 0" },
        { "JMPB below the code faults", "R0=100", "08 00 00 00|" + Hlt, "PC=68", "fault JUMP" },
        { "JMPE not taken goes to the next", "R0=76", "0F 00 00 00|00 01 00 01|" + Hlt, "R1=1", "stop 0" },
        { "JMPE taken", "EQ=1 R0=76", "0F 00 00 00|00 01 00 01|" + Hlt, "R1=0 EQ=1", "stop 0" },
        { "JMPE not taken ignores a bad target", "R0=1", "0F 00 00 00|" + Hlt, "", "stop 0" },
        { "DJMPE taken", "EQ=1", "14 00 4C 00|00 01 00 01|" + Hlt, "R1=0", "stop 0" },
        { "DJMPE not taken", "", "14 00 4C 00|00 01 00 01|" + Hlt, "R1=1", "stop 0" },
        { "DJMPE bad target taken faults", "EQ=1", "14 00 02 00|" + Hlt, "PC=68", "fault JUMP" },
        { "DJMPE bad target not taken is fine", "", "14 00 02 00|" + Hlt, "", "stop 0" },
        { "CLOOP/LOOP fixture: 11 iterations", "", "28 00 0A 00|00 01 00 14|12 01 00 00|29 00 4C 00|" + Hlt, "R1=31 LC=0", "stop 0" },
        { "CLOOP 0 runs the body once", "", "28 00 00 00|00 01 00 14|12 01 00 00|29 00 4C 00|" + Hlt, "R1=21", "stop 0" },
        { "LOOP with a bad target keeps the counter", "", "28 00 05 00|29 00 02 00|" + Hlt, "LC=5 PC=72", "fault JUMP" },
    };

    public static TheoryData<string, string, string, string, string> Stack => new()
    {
        { "PUSH then POP", "R0=7", "2C 00 00 00|2D 01 00 00|" + Hlt, "R1=7 SP=0", "stop 0" },
        { "POP on an empty stack", "R1=3", "2D 01 00 00|" + Hlt, "R1=3 PC=68 SP=0", "fault STACK" },
        { "CALL and RET (a subroutine)", "", "00 00 01 90|2E 00 50 00|" + Hlt + "|00 00 01 F4|2F 00 00 00", "R0=500 SP=0 BP=0 PC=80", "stop 0" },
        { "RET without a frame", "", "2F 00 00 00", "PC=68", "fault STACK" },
        { "RET with only pushes", "R0=1", "2C 00 00 00|2C 00 00 00|2F 00 00 00", "PC=76 SP=2", "fault STACK" },
        { "CALL to a bad target", "", "2E 00 02 00|" + Hlt, "PC=68 SP=0", "fault JUMP" },
        // The last part of a superinstruction (PUSH PUSH PUSH DEC CALL): what came before it stays done.
        { "CALL to a bad target after pushes", "R0=5", "2C 00 00 00|2C 00 00 00|2C 00 00 00|13 00 00 00|2E 00 02 00|" + Hlt, "R0=4 PC=84 SP=3 BP=0", "fault JUMP" },
        { "RET discards what the callee left", "", "2E 00 4C 00|" + Hlt + "|2C 00 00 00|2F 00 00 00", "SP=0 BP=0", "stop 0" },
        { "POP cannot reach the caller's frame", "", "2E 00 4C 00|" + Hlt + "|2D 00 00 00", "PC=76 SP=2 BP=2", "fault STACK" },
        { "callee pops what it pushed", "R0=9", "2E 00 4C 00|" + Hlt + "|2C 00 00 00|2D 01 00 00|2F 00 00 00", "R1=9 SP=0", "stop 0" },
        { "recursion until the stack is full", "", "2E 00 44 00", "PC=68 SP=2097152", "fault STACK" },
        { "PUSH until the stack is full", "R1=6", "2C 00 00 00|08 01 00 00", "PC=68 SP=2097152", "fault STACK" },
    };

    public static TheoryData<string, string, string, string, string> Memory => new()
    {
        { "ALOC fixture", "R0=1024", "11 00 00 00|" + Hlt, "HEAPLEN=1088", "stop 0" },
        { "ALOC zero", "R0=0", "11 00 00 00|" + Hlt, "HEAPLEN=64", "stop 0" },
        { "ALOC negative", "R0=-1", "11 00 00 00|" + Hlt, "HEAPLEN=64 PC=68", "fault HEAP" },
        { "ALOC past the cap", "R0=2147483647", "11 00 00 00|" + Hlt, "HEAPLEN=64 PC=68", "fault HEAP" },
        { "ALOC new bytes are zero", "R0=16 R1=76", "11 00 00 00|2A 01 02 00|" + Hlt, "R2=0 HEAPLEN=80", "stop 0" },
        { "SETM then LOADM", "R0=10 R2=100", "2B 00 02 00|2A 00 01 00|" + Hlt, "R1=100 HEAP[10]=100", "stop 0" },
        { "LOADM fixture", "HEAP[10]=100 R0=10", "2A 00 01 00|" + Hlt, "R1=100", "stop 0" },
        { "SETM is little-endian", "R0=10 R2=16909060", "2B 00 02 00|" + Hlt, "HEAP[10]=16909060 HEAP[11]=66051", "stop 0" },
        { "LOADM last word", "R0=60", "2A 00 01 00|" + Hlt, "R1=0", "stop 0" },
        { "LOADM past the end", "R0=61 R1=5", "2A 00 01 00|" + Hlt, "R1=5 PC=68", "fault HEAP" },
        { "LOADM negative", "R0=-1 R1=5", "2A 00 01 00|" + Hlt, "R1=5", "fault HEAP" },
        { "SETM past the end changes nothing", "R0=62 R2=-1", "2B 00 02 00|" + Hlt, "HEAP[60]=0", "fault HEAP" },
    };

    public static TheoryData<string, string, string, string, string> Faults => new()
    {
        { "REGISTER: destination 32", "R2=1", "01 00 01 20|" + Hlt, "PC=68", "fault REGISTER" },
        { "REGISTER: JMP $255", "", "06 FF 00 00|" + Hlt, "PC=68", "fault REGISTER" },
        { "REGISTER: float register 40", "", "16 28 00 01|" + Hlt, "PC=68", "fault REGISTER" },
        { "TRUNCATED: two bytes left", "", "00 00 00 01|05 00", "R0=1 PC=72", "fault TRUNCATED" },
        { "TRUNCATED: jump to the tail", "R0=72", "06 00 00 00|05 00 00", "PC=72", "fault TRUNCATED" },
        { "padding bytes are ignored", "", "05 FF FF FF", "", "stop 0" },
    };

    /// <summary>
    /// The process instructions on one machine, alone (a runtime of its own, made at the first
    /// one): name, ro text, initial state, code, expected state, outcome. With ro text the code
    /// starts at 68 + its length, so these rows assert no pc.
    /// </summary>
    public static TheoryData<string, string, string, string, string, string> Processes => new()
    {
        { "NODES alone: one member, this is 0", "", "R1=7 R2=7", "39 01 02 00|" + Hlt, "R1=1 R2=0", "stop 0" },
        { "STRH copies without the NUL", "hi\0", "R0=8 R1=0", "3B 00 01 02|" + Hlt, "R2=2 HEAP[8]=26984", "stop 0" },
        { "STRH of the empty string", "\0", "R0=8 R1=0 R2=9", "3B 00 01 02|" + Hlt, "R2=0", "stop 0" },
        { "STRH bad ro offset", "hi\0", "R0=8 R1=3 R2=9", "3B 00 01 02|" + Hlt, "R2=9", "fault RODATA" },
        { "STRH with no NUL", "hi", "R0=8 R1=0 R2=9", "3B 00 01 02|" + Hlt, "R2=9", "fault RODATA" },
        { "STRH past the heap", "hi\0", "R0=63 R1=0 R2=9", "3B 00 01 02|" + Hlt, "R2=9 HEAP[60]=0", "fault HEAP" },
        { "STRH negative heap offset", "hi\0", "R0=-1 R1=0 R2=9", "3B 00 01 02|" + Hlt, "R2=9", "fault HEAP" },
        { "PRTH past the heap", "", "R0=60 R1=5", "3C 00 01 00|" + Hlt, "PC=68", "fault HEAP" },
        { "PRTH negative length", "", "R0=0 R1=-1", "3C 00 01 00|" + Hlt, "PC=68", "fault HEAP" },
        { "PRTH nothing", "", "R0=64 R1=0", "3C 00 01 00|" + Hlt, "PC=76", "stop 0" },
        { "SEND to itself then RECV it", "", "HEAP[0]=1234 R0=0 R1=0 R2=4 R3=0 R4=8", "34 00 01 02|35 05 03 04|" + Hlt, "EQ=1 R5=0 R3=4 HEAP[8]=1234", "stop 0" },
        { "SEND of nothing", "", "R0=0 R1=64 R2=0 R3=0 R4=64", "34 00 01 02|35 05 03 04|" + Hlt, "EQ=1 R3=0", "stop 0" },
        { "SEND to a handle not in the table", "", "R0=1 R1=0 R2=4", "34 00 01 02|" + Hlt, "PC=68", "fault HANDLE" },
        { "SEND to a negative handle", "", "R0=-1 R1=0 R2=4", "34 00 01 02|" + Hlt, "PC=68", "fault HANDLE" },
        { "SEND past the heap", "", "R0=0 R1=62 R2=4", "34 00 01 02|" + Hlt, "PC=68", "fault HEAP" },
        { "SEND negative length", "", "R0=0 R1=0 R2=-1", "34 00 01 02|" + Hlt, "PC=68", "fault HEAP" },
        { "SEND above the message limit", "", "R5=70000 R0=0 R1=0 R2=65537", "11 05 00 00|34 00 01 02|" + Hlt, "PC=72", "fault VALUE" },
        { "SEND at the message limit", "", "R5=70000 R0=0 R1=0 R2=65536", "11 05 00 00|34 00 01 02|" + Hlt, "EQ=1", "stop 0" },
        { "RECV timeout 0 with nothing: eq false, registers kept", "", "EQ=1 R1=0 R2=8 R3=5", "35 03 01 02|" + Hlt, "EQ=0 R1=0 R2=8 R3=5", "stop 0" },
        { "RECV that does not fit faults", "", "R0=0 R1=0 R2=4 R3=0 R4=62 R5=5", "34 00 01 02|35 05 03 04|" + Hlt, "R3=0 R5=5 PC=72", "fault HEAP" },
        { "RECV into a negative offset faults", "", "R0=0 R1=0 R2=4 R3=0 R4=-1", "34 00 01 02|35 05 03 04|" + Hlt, "PC=72", "fault HEAP" },
        { "MONITOR itself", "", "R0=0", "36 00 00 00|" + Hlt, "PC=76", "stop 0" },
        { "MONITOR a handle not in the table", "", "R0=3", "36 00 00 00|" + Hlt, "PC=68", "fault HANDLE" },
        { "DROP itself faults", "", "R0=0", "3A 00 00 00|" + Hlt, "PC=68", "fault HANDLE" },
        { "DROP a handle not in the table", "", "R0=1", "3A 00 00 00|" + Hlt, "PC=68", "fault HANDLE" },
        { "REG", "svc\0", "", "37 00 00 00|" + Hlt, "EQ=1", "stop 0" },
        { "REG a second name is refused", "svc\0other\0", "", "37 00 00 00|37 00 04 00|" + Hlt, "EQ=0", "stop 0" },
        { "REG of an empty name", "\0", "", "37 00 00 00|" + Hlt, "EQ=0", "fault VALUE" },
        { "REG of a name with a space", "a b\0", "", "37 00 00 00|" + Hlt, "", "fault VALUE" },
        { "REG of a 65-character name", new string('n', 65) + "\0", "", "37 00 00 00|" + Hlt, "", "fault VALUE" },
        { "REG of a 64-character name", new string('n', 64) + "\0", "", "37 00 00 00|" + Hlt, "EQ=1", "stop 0" },
        { "REG bad ro offset", "svc\0", "", "37 00 09 00|" + Hlt, "", "fault RODATA" },
        { "WHERE finds this process as handle 0", "svc\0", "R1=9", "37 00 00 00|38 01 00 00|" + Hlt, "EQ=1 R1=0", "stop 0" },
        { "WHERE of an unknown name", "svc\0", "EQ=1 R1=9", "38 01 00 00|" + Hlt, "EQ=0 R1=9", "stop 0" },
        { "WHERE NAME@ALIAS outside a cluster", "svc@n1\0", "EQ=1 R1=9", "38 01 00 00|" + Hlt, "EQ=0 R1=9", "stop 0" },
        { "WHERE with an empty alias", "svc@\0", "R1=9", "38 01 00 00|" + Hlt, "R1=9", "fault VALUE" },
        { "WHERE of a bad name", "s/v\0", "R1=9", "38 01 00 00|" + Hlt, "R1=9", "fault VALUE" },
        { "SPAWN from an address that is not code", "", "R0=70 R2=-1", "33 00 01 02|" + Hlt, "R2=-1 PC=68", "fault JUMP" },
        { "SPAWN on member 1 outside a cluster is refused", "", "EQ=1 R0=72 R2=1", "33 00 01 02|" + Hlt, "EQ=0 R2=-1", "stop 0" },
        { "SPAWN on this node gives handle 1", "", "R0=72 R2=-1", "33 00 01 02|" + Hlt, "EQ=1 R2=1", "stop 0" },
        { "SPAWN on member 0 (this node) gives handle 1", "", "R0=72 R2=0", "33 00 01 02|" + Hlt, "EQ=1 R2=1", "stop 0" },
        { "two SPAWNs give handles 1 and 2", "", "R0=76 R2=-1 R3=-1", "33 00 01 02|33 00 01 03|" + Hlt, "R2=1 R3=2", "stop 0" },
    };

    [Theory, MemberData(nameof(Processes))]
    public void ProcessInstructions(string name, string roText, string setup, string code, string expect, string outcome)
    {
        _ = name;
        var (machine, final, _) = VmScenario.Run(VmScenario.ImageWithText(code, roText), setup);
        VmScenario.AssertOutcome(final, outcome);
        VmScenario.AssertState(machine, expect);
    }

    [Theory, MemberData(nameof(Arithmetic))]
    public void ArithmeticAndBits(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Comparisons))]
    public void ComparisonsSetTheFlag(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Floats))]
    public void FloatArithmetic(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Control))]
    public void ControlFlow(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Stack))]
    public void StackAndCalls(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Memory))]
    public void HeapAccess(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    [Theory, MemberData(nameof(Faults))]
    public void DecodeFaults(string name, string setup, string code, string expect, string outcome) => Check(name, setup, code, expect, outcome);

    private static void Check(string name, string setup, string code, string expect, string outcome)
    {
        _ = name;
        var (machine, final, _) = VmScenario.Run(VmScenario.Image(code), setup, maxSteps: 20_000_000);
        VmScenario.AssertOutcome(final, outcome);
        VmScenario.AssertState(machine, expect);
    }
}
