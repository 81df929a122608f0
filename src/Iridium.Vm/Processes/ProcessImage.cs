namespace Iridium.Vm;

/// <summary>
/// A program as the processes running it share it: the image bytes, its ro data and code start,
/// and its decoded instructions, decoded once per interpreter on first use. Every process a
/// SPAWN starts points at its parent's, so a hundred thousand processes of one program hold one
/// copy of it. Immutable once built (the decoded arrays are only read).
/// </summary>
internal sealed class ProcessImage
{
    private Instruction[]? _fast;
    private Instruction[]? _reference;

    public ProcessImage(byte[] program, byte[] roData, int codeStart)
    {
        Program = program;
        RoData = roData;
        CodeStart = codeStart;
    }

    public byte[] Program { get; }

    public byte[] RoData { get; }

    public int CodeStart { get; }

    /// <summary>The decoded code for the fast interpreter (fused) or the reference one (not fused).</summary>
    public Instruction[] Decoded(bool reference)
    {
        ref var slot = ref reference ? ref _reference : ref _fast;
        // Two threads may both decode on a race; both results are equal, either may stay.
        return Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, InstructionDecoder.DecodeProgram(Program, CodeStart, fuse: !reference), null) ?? slot!;
    }
}
