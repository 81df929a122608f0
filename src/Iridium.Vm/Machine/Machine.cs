using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace Iridium.Vm;

/// <summary>
/// One Iridium VM (docs/reference/isa.md): registers, program, stack, heap, flags, ro data, identity and
/// events. Not thread-safe: one thread drives a machine at a time.
/// </summary>
public sealed partial class Machine
{
    public const int RegisterCount = 32;
    public const int InitialHeapSize = 64;
    /// <summary>Hard stack limit in entries.</summary>
    public const int StackLimit = 2_097_152;
    private const int InitialStackCapacity = 64;
    /// <summary>Default heap cap: 64 MiB (docs/reference/isa.md, "The heap").</summary>
    public const int DefaultHeapCap = 64 * 1024 * 1024;

    private List<VmEvent>? _events;       // made at the first event: a spawned process's VM has none
    private readonly int _heapCap;
    private readonly HeapBudget? _heapBudget;
    private long _heapReserved;           // bytes of _heap beyond InitialHeapSize, held from _heapBudget

    private byte[] _program = [];
    private int _programLength;
    private byte[] _roData = [];
    // The string PRTS printed last, checked (ends in NUL, valid UTF-8): a loop printing it again
    // does not search for its end and validate it each time. Ro data never changes in place (a
    // new program brings a new array), so the array and the offset identify it.
    private byte[]? _printedRoData;
    private int _printedOffset;
    private int _printedLength;
    private int _codeStart;
    private Instruction[]? _decoded;      // decoded code plus the end sentinel; null when stale
    private bool _useReferenceInterpreter;

    // Registers, flags, stack and counters live in _cpu, where the interpreter works on them.
    private Cpu _cpu;
    // The stack's storage: pinned, so _cpu.Stack can point into it.
    private int[] _stack = [];
    private byte[] _heap = new byte[InitialHeapSize];
    private int _heapLength = InitialHeapSize;

    /// <param name="heapCap">Most bytes this VM's heap may hold; ALOC beyond it faults HEAP.</param>
    /// <param name="heapBudget">Shared by the VMs of a process: ALOC faults HEAP when the heaps together would pass it. Null: no shared limit.</param>
    public Machine(Guid? id = null, string? alias = null, int heapCap = DefaultHeapCap, HeapBudget? heapBudget = null)
    {
        Id = id ?? VmIds.Next();
        _cpu.Vm = this;
        GrowStack(InitialStackCapacity);
        Alias = string.IsNullOrEmpty(alias) ? null : alias;
        _heapCap = Math.Max(InitialHeapSize, heapCap);
        _heapBudget = heapBudget;
    }

    /// <summary>Most bytes this VM's heap may hold.</summary>
    public int HeapCap => _heapCap;

    /// <summary>The budget this VM's heap is counted in, if any.</summary>
    public HeapBudget? HeapBudget => _heapBudget;

    /// <summary>
    /// Why an ALOC of the last run (or step) was refused: the VM's cap or the shared budget; None
    /// when none was. A refused ALOC ends its run with HEAP, so a run that faulted HEAP with this
    /// set faulted on that ALOC.
    /// </summary>
    public HeapRefusal LastHeapRefusal { get; private set; }

    /// <summary>
    /// The VM is done with its heap (its session or run has ended): the heap goes back to its
    /// initial 64 zero bytes and what it held is given back to the budget. Safe to call twice;
    /// the machine stays usable.
    /// </summary>
    public void ReleaseHeap()
    {
        _heap = new byte[InitialHeapSize];
        _heapLength = InitialHeapSize;
        GiveBackReservedHeap();
    }

    /// <summary>
    /// The VM is dropped (a spawned process's, at its end): what its heap held goes back to the
    /// budget, and the heap with the machine, with no new one made for a VM nobody will run.
    /// </summary>
    internal void DropHeap()
    {
        _heap = [];
        _heapLength = 0;
        GiveBackReservedHeap();
    }

    private void GiveBackReservedHeap()
    {
        long reserved = _heapReserved;
        _heapReserved = 0;
        _heapBudget?.Release(reserved);
    }

    /// <summary>
    /// Runs programs on the reference interpreter instead: the handler methods called one
    /// instruction at a time, no superinstructions. Slow; for tests that compare the two.
    /// </summary>
    internal bool UseReferenceInterpreter
    {
        get => _useReferenceInterpreter;
        set
        {
            _useReferenceInterpreter = value;
            ProgramChanged();
        }
    }

    /// <summary>The VM's id, stamped on every event: the one it was given, else unique to this process and VM without randomness (<see cref="VmIds"/>).</summary>
    public Guid Id { get; }

    /// <summary>The node alias, or null when none was given.</summary>
    public string? Alias { get; }

    /// <summary>Where PRTS, PRTI, PRTF and PRTC write. Flushed when a run ends.</summary>
    public Stream Output { get; set; } = Stream.Null;

    /// <summary>Where diagnostics go (IGL, invalid UTF-8 in PRTS); null to drop them.</summary>
    public TextWriter? Diagnostics { get; set; }

    public unsafe Span<int> Registers => MemoryMarshal.CreateSpan(ref _cpu.R[0], RegisterCount);
    public unsafe Span<double> FloatRegisters => MemoryMarshal.CreateSpan(ref _cpu.F[0], RegisterCount);

    /// <summary>Byte address of the next instruction.</summary>
    public int Pc { get; set; }

    public bool EqualFlag
    {
        get => _cpu.Eq;
        set => _cpu.Eq = value;
    }

    public int Remainder
    {
        get => _cpu.Remainder;
        set => _cpu.Remainder = value;
    }

    public int LoopCounter
    {
        get => _cpu.LoopCounter;
        set => _cpu.LoopCounter = value;
    }

    public ReadOnlySpan<byte> Program => _program.AsSpan(0, _programLength);
    public ReadOnlySpan<byte> RoData => _roData;

    /// <summary>Byte address of the first instruction: 68 + ro length, or 0 in headerless mode.</summary>
    public int CodeStart => _codeStart;

    public ReadOnlySpan<byte> Heap => _heap.AsSpan(0, _heapLength);
    public int HeapLength => _heapLength;

    /// <summary>The stack, bottom first. Its length is sp.</summary>
    public ReadOnlySpan<int> Stack
    {
        get
        {
            // Frames above the floor keep their return address as a slot index: show A + 4.
            var entries = _stack.AsSpan(0, _cpu.Sp).ToArray();
            ReturnSlotsToAddresses(entries);
            return entries;
        }
    }
    public int StackDepth => _cpu.Sp;
    public int BasePointer => _cpu.Bp;

    /// <summary>Every event of every run of this machine, oldest first (never cleared).</summary>
    public IReadOnlyList<VmEvent> Events => _events ?? (IReadOnlyList<VmEvent>)[];

    /// <summary>How the last run or step ended.</summary>
    public ExecutionResult LastResult { get; private set; }

    /// <summary>Loads a program image to be started by <see cref="Run"/>. Validation happens in Run.</summary>
    public void LoadImage(ReadOnlySpan<byte> image)
    {
        SetProgram(image);
        _codeStart = 0;
        _roData = [];
        Pc = 0;
    }

    /// <summary>
    /// Headerless mode (docs/reference/isa.md): the bytes are code only, code starts at 0, ro data is
    /// empty. Used by the REPL and single-step tests with <see cref="RunOnce"/>.
    /// </summary>
    public void LoadHeaderless(ReadOnlySpan<byte> code)
    {
        SetProgram(code);
        _codeStart = 0;
        _roData = [];
        Pc = 0;
    }

    /// <summary>Appends code after the current program (the REPL's typed lines).</summary>
    public void AppendCode(ReadOnlySpan<byte> code)
    {
        EnsureProgramCapacity(_programLength + code.Length);
        code.CopyTo(_program.AsSpan(_programLength));
        _programLength += code.Length;
        ProgramChanged();
    }

    /// <summary>Empties the program, its ro data, and resets pc (the REPL's !clear_program).</summary>
    public void ClearProgram()
    {
        DistrustFrames(); // while the code start is still the old program's
        _programLength = 0;
        _codeStart = 0;
        _roData = [];
        ProgramChanged();
        Pc = 0;
    }

    /// <summary>Sets all 32 integer registers to 0.</summary>
    public void ClearRegisters() => Registers.Clear();

    /// <summary>
    /// Runs the loaded image from its first instruction (docs/reference/isa.md): appends Start, validates
    /// the header, copies the ro data, executes, and appends GracefulStop{code}, Crash{code} or Interrupted.
    /// </summary>
    /// <param name="maxSteps">Step budget; a run needing more instructions ends with Crash{9}. Null = unlimited.</param>
    /// <param name="interrupt">
    /// Cancelling it stops the run at the next instruction boundary it checks (see
    /// <see cref="InterruptSlice"/>) with an Interrupted event; registers, heap, stack and pc stay
    /// as they were, so <see cref="Continue"/> can resume. A token that cannot be cancelled costs nothing.
    /// </param>
    public VmEvent Run(long? maxSteps = null, CancellationToken interrupt = default)
    {
        if (Start() is { } headerFault) return headerFault;
        var result = Execute(maxSteps, interrupt: interrupt);
        return AddEvent(FinalEventKind(result.Status), result.Code);
    }

    /// <summary>
    /// Continues from the current pc without header checks or events, until the program stops,
    /// faults, is interrupted or the budget runs out (<see cref="ExecutionStatus.Running"/> then).
    /// </summary>
    public ExecutionResult Continue(long? maxSteps = null, CancellationToken interrupt = default)
    {
        LastHeapRefusal = HeapRefusal.None;
        return Execute(maxSteps, budgetEndsRun: false, interrupt: interrupt);
    }

    /// <summary>Executes exactly one instruction at pc, with no events.</summary>
    public ExecutionResult RunOnce() => Continue(1);

    /// <param name="flush">Flush <see cref="Output"/> at the end: every run but a scheduler's slice.</param>
    /// <param name="handOverWaits">
    /// A hosted process's instruction that must wait hands the rest of the run to the scheduler:
    /// every run but a scheduler's slice (which returns the wait to the scheduler).
    /// </param>
    private unsafe ExecutionResult Execute(long? maxSteps, bool budgetEndsRun = true, bool flush = true, CancellationToken interrupt = default, bool handOverWaits = true)
    {
        var decoded = _decoded ??= Decode();
        int codeCount = InstructionDecoder.CodeSlots(_programLength, _codeStart);
        int index = Cpu.TargetIndex(Pc, _codeStart, codeCount);
        _cpu.StepsLeft = maxSteps ?? long.MaxValue;
        if (index < 0)
        {
            // Only reachable when a caller moved pc somewhere odd: nothing at pc can run.
            LastResult = Pc >= _programLength
                ? new ExecutionResult(ExecutionStatus.Stopped, (int)StopCode.Illegal, Pc)
                : new ExecutionResult(ExecutionStatus.Faulted, (int)FaultCode.Jump, Pc);
            if (flush) FlushOutput();
            return LastResult;
        }

        _cpu.Pc = index;
        _cpu.CodeStart = _codeStart;
        _cpu.CodeCount = codeCount;
        ExecutionResult result;
        fixed (Instruction* code = decoded)
        {
            result = DispatchFromPc(code, maxSteps is not null, interrupt);
        }
        Pc = _cpu.PcAddress;
        bool handedOver = handOverWaits && IsWait(result) && Process is { IsHosted: true };
        if (handedOver)
        {
            // A hosted process's instruction must wait: the rest of its run goes on the scheduler,
            // and this thread waits for its end (ProcessRuntime.RunHandedOver says why).
            long stepsLeft = _cpu.StepsLeft == long.MaxValue ? long.MaxValue : _cpu.StepsLeft + 1;   // waiting costs no step
            result = Process!.Runtime.RunHandedOver(Process, stepsLeft, interrupt);
        }

        if (result.Status == ExecutionStatus.Running && budgetEndsRun) result = BudgetEnded();
        // A handed-over run's slices said so already.
        if (!handedOver && result.Status == ExecutionStatus.Stopped && result.Code == (int)StopCode.Illegal && result.Pc < _programLength)
        {
            Diagnostics?.WriteLine($"iridium: illegal opcode {_program[result.Pc]} (0x{_program[result.Pc]:X2}) at pc={result.Pc}");
        }
        if (flush) FlushOutput();
        LastResult = result;
        return result;
    }

    /// <summary>
    /// How a run ends when its budget does. Arriving at the end of the program is not an
    /// instruction, so a run whose last instruction used the final step still ends normally.
    /// </summary>
    private ExecutionResult BudgetEnded() => Pc == _programLength
        ? new ExecutionResult(ExecutionStatus.Stopped, (int)StopCode.Illegal, Pc)
        : new ExecutionResult(ExecutionStatus.Faulted, (int)FaultCode.Steps, Pc);

    /// <summary>The program or how it runs changed: what was decoded or shared from it is stale.</summary>
    private void ProgramChanged()
    {
        _decoded = null;
        _processImage = null;
    }

    /// <summary>Runs from <c>_cpu.Pc</c> on the interpreter this run needs: sliced when interruptible, counting steps when bounded.</summary>
    private unsafe ExecutionResult DispatchFromPc(Instruction* code, bool bounded, CancellationToken interrupt)
    {
        if (interrupt.CanBeCanceled) return DispatchInSlices(code, interrupt);
        if (_useReferenceInterpreter)
        {
            return bounded ? ReferenceDispatch<BoundedSteps>(ref _cpu, code) : ReferenceDispatch<UnboundedSteps>(ref _cpu, code);
        }
        return bounded ? Dispatch<BoundedSteps>(ref _cpu, code) : Dispatch<UnboundedSteps>(ref _cpu, code);
    }

    private Instruction[] Decode() => InstructionDecoder.DecodeProgram(Program, _codeStart, fuse: !_useReferenceInterpreter);

    private VmEvent AddEvent(VmEventKind kind, int code)
    {
        var e = new VmEvent(kind, code, DateTime.UtcNow, Id);
        (_events ??= []).Add(e);
        return e;
    }

    private void SetProgram(ReadOnlySpan<byte> bytes)
    {
        _program = bytes.ToArray();
        _programLength = _program.Length;
        ProgramChanged();
        DistrustFrames();
    }

    /// <summary>The frames on the stack belong to a program that is gone: RET must check them in full.</summary>
    private void DistrustFrames()
    {
        // Frames above the floor hold slot indexes of the program being replaced: make them byte
        // addresses (what RetChecked validates), then put the floor above every frame.
        ReturnSlotsToAddresses(_stack);
        _cpu.FrameFloor = _cpu.Sp;
    }

    /// <summary>
    /// Rewrites, in <paramref name="entries"/> (the stack or a copy of it), the return address of
    /// every frame above the floor from the slot index CALL stored to the byte address A + 4.
    /// </summary>
    private void ReturnSlotsToAddresses(Span<int> entries)
    {
        for (int bp = _cpu.Bp; bp > _cpu.FrameFloor; bp = entries[bp - 1]) entries[bp - 2] = SlotAddress(entries[bp - 2]);
    }

    /// <summary>The byte address of a slot of the loaded program's code.</summary>
    private int SlotAddress(int slot) => _codeStart + 4 * slot;

    private void EnsureProgramCapacity(int needed)
    {
        if (needed <= _program.Length) return;
        Array.Resize(ref _program, Math.Max(needed, Math.Max(16, _program.Length * 2)));
    }

    private void FlushOutput()
    {
        try
        {
            Output.Flush();
        }
        catch (IOException)
        {
            // A closed stdout (e.g. `| head`) must not crash the host.
        }
    }

    /// <summary>
    /// Makes the stack hold at least <paramref name="needed"/> entries (doubling), or returns false
    /// past <see cref="StackLimit"/>. The storage is a pinned array, so the interpreter reaches
    /// entries through a plain pointer with no bounds or null checks.
    /// </summary>
    internal unsafe bool GrowStack(int needed)
    {
        if (needed > StackLimit) return false;
        if (needed <= _stack.Length) return true;
        int size = Math.Min(StackLimit, Math.Max(needed, Math.Max(InitialStackCapacity, _stack.Length * 2)));
        var grown = GC.AllocateArray<int>(size, pinned: true);
        _stack.AsSpan(0, _cpu.Sp).CopyTo(grown);
        _stack = grown;
        _cpu.Stack = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(grown));
        _cpu.StackCapacity = size;
        return true;
    }

    /// <summary>ALOC: grows the heap by <paramref name="amount"/> zero bytes (fault 7 when negative, past the cap, or past the shared budget).</summary>
    internal FaultCode GrowHeap(int amount)
    {
        if (amount < 0) return FaultCode.Heap;
        if (amount > _heapCap - _heapLength) return RefuseHeap(HeapRefusal.VmCap);
        if (amount == 0) return FaultCode.None;
        // The heap never shrinks and SETM writes only below its length, so the spare capacity is
        // still zero: growing within it needs no clearing.
        int newLength = _heapLength + amount;
        if (newLength > _heap.Length)
        {
            // Doubling keeps a growing heap cheap; when the budget has no room for that, the
            // exact length may still fit.
            int capacity = (int)Math.Min(_heapCap, Math.Max(newLength, (long)_heap.Length * 2));
            if (!TryReserveHeap(capacity) && (capacity == newLength || !TryReserveHeap(capacity = newLength))) return RefuseHeap(HeapRefusal.Budget);
            // The old array is garbage now, but memory until a collection: the budget keeps
            // counting it until then (HeapBudget.Release).
            long oldReserved = _heapReserved;
            Array.Resize(ref _heap, capacity);
            _heapReserved = capacity - (long)InitialHeapSize;
            _heapBudget?.Release(oldReserved);
        }
        _heapLength = newLength;
        return FaultCode.None;
    }

    /// <summary>
    /// Takes from the budget a new heap array of <paramref name="capacity"/> bytes (beyond the
    /// initial ones, which every VM has): the whole array, because the old one is still held
    /// while it is copied.
    /// </summary>
    private bool TryReserveHeap(int capacity) => _heapBudget is null || _heapBudget.TryReserve(capacity - (long)InitialHeapSize);

    private FaultCode RefuseHeap(HeapRefusal why)
    {
        LastHeapRefusal = why;
        return FaultCode.Heap;
    }

    internal bool TryReadHeapWord(int offset, out int value)
    {
        if (offset < 0 || offset > _heapLength - 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadInt32LittleEndian(_heap.AsSpan(offset, 4));
        return true;
    }

    internal bool TryWriteHeapWord(int offset, int value)
    {
        if (offset < 0 || offset > _heapLength - 4) return false;
        BinaryPrimitives.WriteInt32LittleEndian(_heap.AsSpan(offset, 4), value);
        return true;
    }

    /// <summary>
    /// The NUL-terminated string at ro offset <paramref name="offset"/>, without its NUL, or
    /// RODATA when the offset is outside the ro data or no NUL ends it (PRTS, STRH, REG, WHERE).
    /// </summary>
    internal FaultCode TryReadRoString(int offset, out ReadOnlySpan<byte> text)
    {
        text = default;
        if ((uint)offset >= (uint)_roData.Length) return FaultCode.RoData;
        var rest = _roData.AsSpan(offset);
        int end = rest.IndexOf((byte)0);
        if (end < 0) return FaultCode.RoData;
        text = rest[..end];
        return FaultCode.None;
    }

    /// <summary>PRTS: validates first (fault 8), then writes the UTF-8 bytes; invalid UTF-8 goes to diagnostics instead.</summary>
    internal FaultCode PrintString(int offset, int pcAddress)
    {
        if (offset == _printedOffset && ReferenceEquals(_printedRoData, _roData))
        {
            WriteOutput(_roData.AsSpan(offset, _printedLength));
            return FaultCode.None;
        }
        var fault = TryReadRoString(offset, out var text);
        if (fault != FaultCode.None) return fault;
        if (!Utf8.IsValid(text))
        {
            Diagnostics?.WriteLine($"iridium: PRTS at pc={pcAddress}: string at ro offset {offset} is not valid UTF-8; nothing printed");
            return FaultCode.None;
        }
        (_printedRoData, _printedOffset, _printedLength) = (_roData, offset, text.Length);
        WriteOutput(text);
        return FaultCode.None;
    }

    /// <summary>PRTI: <paramref name="value"/> as a signed decimal.</summary>
    internal void PrintInteger(int value)
    {
        Span<byte> text = stackalloc byte[PrintFormat.MaxIntegerBytes];
        WriteOutput(text[..PrintFormat.Integer(value, text)]);
    }

    /// <summary>PRTF: the shortest round-trip form of <paramref name="value"/> (see <see cref="PrintFormat.Float"/>).</summary>
    internal void PrintFloat(double value)
    {
        Span<byte> text = stackalloc byte[PrintFormat.MaxFloatBytes];
        WriteOutput(text[..PrintFormat.Float(value, text)]);
    }

    /// <summary>PRTC: one Unicode scalar value as UTF-8; fault VALUE (nothing printed) when <paramref name="value"/> is not one.</summary>
    internal FaultCode PrintScalar(int value)
    {
        Span<byte> text = stackalloc byte[PrintFormat.MaxScalarBytes];
        if (!PrintFormat.TryScalar(value, text, out int length)) return FaultCode.Value;
        WriteOutput(text[..length]);
        return FaultCode.None;
    }

    /// <summary>Every print instruction writes through here, so their output shares one stream in program order.</summary>
    private void WriteOutput(ReadOnlySpan<byte> bytes)
    {
        try
        {
            Output.Write(bytes);
        }
        catch (IOException)
        {
            // Output closed by the reader: the program keeps running, as with a closed pipe in C.
        }
    }
}
