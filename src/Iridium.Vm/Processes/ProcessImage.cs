namespace Iridium.Vm;

/// <summary>
/// A program as the processes running it share it: the image bytes, its ro data and code start,
/// and its decoded instructions, decoded once per interpreter on first use. Every process a
/// SPAWN starts points at its parent's, so a hundred thousand processes of one program hold one
/// copy of it. Immutable once built (the decoded arrays are only read). A SPAWN on another member
/// sends <see cref="Bytes"/>, which that member loads again with <see cref="TryLoad"/>.
/// </summary>
public sealed class ProcessImage
{
    private Instruction[]? _fast;
    private Instruction[]? _reference;

    internal ProcessImage(byte[] program, byte[] roData, int codeStart)
    {
        Program = program;
        RoData = roData;
        CodeStart = codeStart;
    }

    internal byte[] Program { get; }

    internal byte[] RoData { get; }

    internal int CodeStart { get; }

    /// <summary>The program as it travels: the image with its header, or the code alone when <see cref="IsHeaderless"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => Program;

    /// <summary>Code only, no header (the REPL's programs): code starts at 0 and there is no ro data.</summary>
    public bool IsHeaderless => CodeStart == 0;

    /// <summary>
    /// An image received from another member, checked as `run` checks a file: null when its
    /// header is invalid. Its code is decoded when a process first runs it.
    /// </summary>
    public static ProcessImage? TryLoad(byte[] bytes, bool headerless)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (headerless) return new ProcessImage(bytes, [], 0);
        var machine = new Machine(heapCap: 0);
        machine.LoadImage(bytes);
        return machine.PrepareToStart() && machine.CodeStart > 0 ? new ProcessImage(bytes, machine.RoData.ToArray(), machine.CodeStart) : null;
    }

    /// <summary>The decoded code for the fast interpreter (fused) or the reference one (not fused).</summary>
    public Instruction[] Decoded(bool reference)
    {
        ref var slot = ref reference ? ref _reference : ref _fast;
        // Two threads may both decode on a race; both results are equal, either may stay.
        return Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, InstructionDecoder.DecodeProgram(Program, CodeStart, fuse: !reference), null) ?? slot!;
    }
}
