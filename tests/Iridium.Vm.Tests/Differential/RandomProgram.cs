namespace Iridium.Vm.Tests.Differential;

/// <summary>
/// Seeded random programs that exercise every opcode, driven by the opcode metadata (so a new
/// opcode is covered without touching this file): mostly valid encodings, some bad registers,
/// bad jump targets, unknown opcodes and truncated tails; declared superinstruction sequences
/// placed often, some of them branching back to their own start (a loop whose whole body is the
/// sequence), and jump targets anywhere, including the middle of those sequences. Machines
/// start from a random state (registers, floats with NaN/-0/inf, the flag). One program in four
/// is call-heavy: most of its instructions are PUSH, POP, CALL and RET or superinstructions
/// containing them, so frames nest, unwind, fault and cross the stack's growth.
/// </summary>
internal sealed class RandomProgram
{
    private static readonly Opcode[][] s_superinstructions = InstructionDecoder.SuperinstructionSequences.ToArray();
    // The process instructions that talk to a process runtime (SPAWN .. DROP) are left out: a
    // random RECV waits for ever and a random SPAWN starts scheduler threads, so their fast and
    // reference runs are compared by ProcessDifferentialTests on one scheduler thread instead.
    // STRH and PRTH touch only the machine and stay in, as do the store instructions: with no store
    // they answer "unavailable" at once, so both interpreters must agree on their checks and results.
    private static readonly HashSet<Opcode> s_needRuntime =
        [Opcode.SPAWN, Opcode.SEND, Opcode.RECV, Opcode.MONITOR, Opcode.REG, Opcode.WHERE, Opcode.NODES, Opcode.DROP];
    private static readonly OpcodeInfo[] s_opcodes = [.. OpcodeTable.All.Where(info => !s_needRuntime.Contains(info.Opcode))];
    // Weighted towards CALL and PUSH: POP and RET on an empty stack fault, which ends the program.
    private static readonly Opcode[] s_stackOpcodes = [Opcode.CALL, Opcode.CALL, Opcode.CALL, Opcode.PUSH, Opcode.PUSH, Opcode.POP, Opcode.RET];
    private static readonly Opcode[][] s_stackSuperinstructions = s_superinstructions.Where(s => s.Any(s_stackOpcodes.Contains)).ToArray();

    private readonly Random _random;
    private readonly List<byte> _code = [];
    private int _slots;
    private int _codeStart;
    private byte[] _ro = [];

    public RandomProgram(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
        Image = Build();
        InitialState = RandomState();
    }

    public int Seed { get; }
    public byte[] Image { get; }

    /// <summary>Applied to a fresh machine before loading the image.</summary>
    public Action<Machine> InitialState { get; }

    private byte[] Build()
    {
        _ro = RandomRoData();
        _codeStart = ProgramImage.RoDataOffset + _ro.Length;
        _slots = _random.Next(1, 48);
        bool callHeavy = Seed % 4 == 3;
        // Something to pop and a frame to return from before the random part, which would
        // otherwise end most of these programs with a STACK fault at their first POP or RET.
        if (callHeavy) EmitSequence([Opcode.PUSH, Opcode.PUSH, Opcode.CALL]);
        while (_code.Count < _slots * 4)
        {
            int roll = _random.Next(100);
            if (callHeavy && roll < 85)
            {
                if (roll < 45) EmitSequence([s_stackOpcodes[_random.Next(s_stackOpcodes.Length)]]);
                else EmitSequence(s_stackSuperinstructions[_random.Next(s_stackSuperinstructions.Length)]);
                continue;
            }
            if (roll < 30) EmitSequence(s_superinstructions[_random.Next(s_superinstructions.Length)]);
            else if (roll < 36) EmitRegisterJump();
            else if (roll < 38) Emit(Word((byte)_random.Next(65, 256), Byte(), Byte(), Byte())); // undefined opcode (or 100)
            else EmitSequence([s_opcodes[_random.Next(s_opcodes.Length)].Opcode]);
        }
        var code = _code.Take(_slots * 4).ToList();
        if (_random.Next(20) == 0) code.AddRange(Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Byte()));
        return ProgramImage.Write(_ro, code.ToArray());
    }

    private Action<Machine> RandomState()
    {
        var registers = Enumerable.Range(0, Machine.RegisterCount).Select(_ => RandomInt()).ToArray();
        var floats = Enumerable.Range(0, Machine.RegisterCount).Select(_ => RandomDouble()).ToArray();
        bool eq = _random.Next(2) == 0;
        return machine =>
        {
            registers.CopyTo(machine.Registers);
            floats.CopyTo(machine.FloatRegisters);
            machine.EqualFlag = eq;
        };
    }

    private byte[] RandomRoData()
    {
        var ro = new byte[_random.Next(0, 24)];
        _random.NextBytes(ro);
        for (int i = 0; i < ro.Length; i++)
        {
            if (_random.Next(4) == 0) ro[i] = 0;
            else if (ro[i] >= 0x80 && _random.Next(3) != 0) ro[i] = (byte)(ro[i] & 0x7F); // mostly ASCII, some invalid UTF-8
        }
        return ro;
    }

    private void EmitSequence(Opcode[] sequence)
    {
        int start = _code.Count;
        foreach (var opcode in sequence) Emit(Encode(OpcodeTable.Find((byte)opcode)!));
        // A third of the sequences that end in a jump to an ADDR go back to their own first word.
        var last = OpcodeTable.Find((byte)sequence[^1])!;
        if (sequence.Length > 1 && last.Operands is [OperandKind.Address] && _random.Next(3) == 0)
        {
            int target = _codeStart + start;
            _code[^3] = (byte)(target >> 8);
            _code[^2] = (byte)target;
        }
    }

    /// <summary>LOAD $r #target then a jump through $r: how assembly jumps to labels by register.</summary>
    private void EmitRegisterJump()
    {
        byte r = (byte)_random.Next(8);
        int target = _random.Next(10) == 0 ? _random.Next(65536) : _codeStart + 4 * _random.Next(_slots + 1);
        Emit(Word((byte)Opcode.LOAD, r, (byte)(target >> 8), (byte)target));
        var jump = new[] { Opcode.JMP, Opcode.JMPE, Opcode.JMPF, Opcode.JMPB }[_random.Next(4)];
        if (jump is Opcode.JMPF or Opcode.JMPB)
        {
            // Relative jumps: reuse the register as an offset of a few instructions.
            int offset = 4 * _random.Next(0, 4) + 2 + (_random.Next(8) == 0 ? 1 : 0);
            Emit(Word((byte)Opcode.LOAD, r, 0, (byte)offset));
        }
        Emit(Word((byte)jump, r, Byte(), Byte()));
    }

    private byte[] Encode(OpcodeInfo info)
    {
        var word = new byte[4];
        word[0] = info.Number;
        int position = 1;
        foreach (var kind in info.Operands)
        {
            switch (kind)
            {
                case OperandKind.Register:
                case OperandKind.FloatRegister:
                    int roll = _random.Next(100);
                    word[position++] = (byte)(roll < 90 ? _random.Next(8) : roll < 97 ? _random.Next(8, 32) : _random.Next(32, 256));
                    break;
                case OperandKind.Count:
                    word[position++] = (byte)_random.Next(0, 40);
                    break;
                default:
                    int value = Sixteen(info, kind);
                    word[position++] = (byte)(value >> 8);
                    word[position++] = (byte)value;
                    break;
            }
        }
        // Padding bytes are ignored by the VM: fill some with noise.
        for (; position < 4; position++) word[position] = _random.Next(4) == 0 ? Byte() : (byte)0;
        return word;
    }

    private int Sixteen(OpcodeInfo info, OperandKind kind) => kind switch
    {
        OperandKind.Address => _random.Next(8) == 0 ? _random.Next(65536) : _codeStart + 4 * _random.Next(_slots + 1),
        OperandKind.Literal16 => _random.Next(8) == 0 ? _random.Next(65536) : _random.Next(0, 6),
        OperandKind.U16 => _random.Next(6) == 0 ? _random.Next(65536) : _random.Next(0, _ro.Length + 1),
        _ when info.Opcode == Opcode.LOAD && _random.Next(3) == 0 => _codeStart + 4 * _random.Next(_slots + 1),
        _ => _random.Next(4) == 0 ? _random.Next(65536) : _random.Next(0, 80),
    };

    private int RandomInt() => _random.Next(10) switch
    {
        0 => int.MinValue,
        1 => int.MaxValue,
        2 => -1,
        3 => _random.Next(),
        4 => -_random.Next(0, 100),
        5 => _codeStart + 4 * _random.Next(_slots + 1),
        _ => _random.Next(0, 70),
    };

    private double RandomDouble() => _random.Next(10) switch
    {
        0 => double.NaN,
        1 => -0.0,
        2 => double.PositiveInfinity,
        3 => double.NegativeInfinity,
        4 => BitConverter.Int64BitsToDouble(_random.NextInt64()),
        _ => Math.Round((_random.NextDouble() - 0.5) * 200, _random.Next(0, 4)),
    };

    private byte Byte() => (byte)_random.Next(256);

    private static byte[] Word(byte op, byte a, byte b, byte c) => [op, a, b, c];

    private void Emit(byte[] word) => _code.AddRange(word);

    public override string ToString() => $"seed {Seed}: image {Convert.ToHexString(Image)}";
}
