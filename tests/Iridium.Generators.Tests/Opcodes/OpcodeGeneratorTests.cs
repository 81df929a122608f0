using System.Reflection;
using System.Text.RegularExpressions;
using Iridium.Generators.Opcodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Iridium.Generators.Tests.Opcodes;

/// <summary>
/// The opcode generator over the real Iridium.Vm sources (compiled in memory with it), and over
/// small instruction sets that exercise each diagnostic.
/// </summary>
public class OpcodeGeneratorTests
{
    private static string[] RealVmSources()
        => RepositoryFiles.Sources("src/Iridium.Vm").Select(File.ReadAllText).ToArray();

    /// <summary>The VM's runtime types without its handlers and superinstructions, plus a test instruction set.</summary>
    private static string[] VmWith(string handlers)
        => RepositoryFiles.Sources("src/Iridium.Vm", p => !Path.GetFileName(p).StartsWith("Handlers.", StringComparison.Ordinal)
                && Path.GetFileName(p) != "Superinstructions.cs")
            .Select(File.ReadAllText)
            .Append(handlers)
            .ToArray();

    private static string Handlers(string extra) => $$"""
        namespace Iridium.Vm;
        internal static partial class Handlers
        {
            [Opcode(0, "LOAD", "R IMM32", "R[a] = HI:LO")]
            public static unsafe void Load(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A] = ins.Imm;

            [Opcode(100, "IGL", "", "stop with code 1", CatchesUnknownBytes = true)]
            public static StopCode Igl(ref Cpu cpu, in Instruction ins) => StopCode.Illegal;
        {{extra}}
        }
        """;

    [Fact]
    public void RealInstructionSetCompilesWithoutWarningsAndMatchesBaselines()
    {
        var (driver, output, diagnostics) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(RealVmSources()));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompileWarnings(output));
        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.Equal(
            ["InstructionDecoder.g.cs", "Machine.Dispatch.g.cs", "Machine.ReferenceDispatch.g.cs", "Opcode.g.cs", "OpcodeTable.g.cs"],
            generated.Select(s => s.HintName).Order(StringComparer.Ordinal));
        foreach (var source in generated)
        {
            GeneratorHarness.AssertBaseline("OpcodeGenerator", source.HintName, WithOneDispatchSite(source.SourceText.ToString()));
        }
    }

    /// <summary>
    /// The interpreter repeats one dispatch switch after every label (about 150 times 150 lines):
    /// checks that every copy is the same, and keeps only the first in the text the baseline holds.
    /// </summary>
    private static string WithOneDispatchSite(string source)
    {
        var sites = Regex.Matches(source, @"^( +)switch \(ip->Op\)\n\1\{\n.*?^\1\}\n", RegexOptions.Multiline | RegexOptions.Singleline);
        if (sites.Count < 2) return source;
        Assert.All(sites, site => Assert.Equal(sites[0].Value.Trim(), site.Value.Trim()));
        int first = sites[0].Index + sites[0].Length;
        return source[..first] + Regex.Replace(source[first..], @"^( +)switch \(ip->Op\)\n\1\{\n.*?^\1\}\n",
            m => m.Groups[1].Value + "// switch (ip->Op): the dispatch site above\n", RegexOptions.Multiline | RegexOptions.Singleline);
    }

    /// <summary>
    /// The generated interpreter's size, held to a budget: every opcode and superinstruction adds a
    /// case to every dispatch site (there is one after each handler's label), so the volume grows
    /// as their product, and past a point the interpreter's code stops fitting the instruction
    /// cache it was shaped for. Raising a figure here is a decision to take with
    /// tools/bench/run.sh's results beside it, not a chore.
    /// </summary>
    [Fact]
    public void TheGeneratedInterpreterStaysWithinItsSizeBudget()
    {
        // December: 188 sites, 45,206 lines (66 opcodes and the superinstructions of Superinstructions.cs).
        const int MaxDispatchSites = 210;
        const int MaxLines = 50_000;
        var (driver, _, _) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(RealVmSources()));
        string dispatch = driver.GetRunResult().Results.Single().GeneratedSources
            .Single(s => s.HintName == "Machine.Dispatch.g.cs").SourceText.ToString();
        int sites = Regex.Matches(dispatch, @"^ +switch \(ip->Op\)$", RegexOptions.Multiline).Count;
        int lines = dispatch.Count(c => c == '\n');
        Assert.True(sites <= MaxDispatchSites && lines <= MaxLines,
            $"the generated dispatch has {sites} dispatch sites and {lines} lines; the budget is {MaxDispatchSites} and {MaxLines}");
    }

    [Fact]
    public void RealInstructionSetHasAll66Opcodes()
    {
        var (driver, _, _) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(RealVmSources()));
        string enumSource = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Opcode.g.cs").SourceText.ToString();
        int members = enumSource.Split('\n').Count(l => l.TrimEnd().EndsWith(",", StringComparison.Ordinal) && l.Contains(" = ", StringComparison.Ordinal));
        Assert.Equal(66, members);
        Assert.Contains("IGL = 100,", enumSource);
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        string Generate()
        {
            var (driver, _, _) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(RealVmSources()));
            return string.Join("\n", driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName + s.SourceText));
        }
        Assert.Equal(Generate(), Generate());
    }

    [Fact]
    public void AddingAnOpcodeIsOneDefinition()
    {
        var handlers = Handlers("""
                [Opcode(48, "SWAP", "R R", "R[a], R[b] = R[b], R[a]")]
                public static unsafe void Swap(ref Cpu cpu, in Instruction ins) { (cpu.R[ins.A], cpu.R[ins.B]) = (cpu.R[ins.B], cpu.R[ins.A]); }
            """);
        var (driver, output, diagnostics) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(VmWith(handlers)));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompileWarnings(output));
        var sources = driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.Contains("SWAP = 48,", sources["Opcode.g.cs"]);
        Assert.Contains("new OpcodeInfo(Opcode.SWAP, \"SWAP\", \"R R\", new[] { OperandKind.Register, OperandKind.Register }, ControlFlow.Next", sources["OpcodeTable.g.cs"]);
        Assert.Contains("case 48: // SWAP R R", sources["InstructionDecoder.g.cs"]);
        Assert.Contains("(cpu.R[(*ip).A], cpu.R[(*ip).B]) = (cpu.R[(*ip).B], cpu.R[(*ip).A]);", sources["Machine.Dispatch.g.cs"]);
        Assert.Contains("global::Iridium.Vm.Handlers.Swap(ref cpu, in *ip);", sources["Machine.ReferenceDispatch.g.cs"]);
    }

    private static Dictionary<string, string> Generate(string extraHandlers)
    {
        var (driver, output, diagnostics) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(VmWith(Handlers(extraHandlers))));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompileWarnings(output));
        return driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
    }

    private const string DivAndDjmpe = """
            [Opcode(4, "DIV", "R R R", "div")]
            public static unsafe FaultCode Div(ref Cpu cpu, in Instruction ins)
            {
                if (cpu.R[ins.B] == 0) return FaultCode.DivZero;
                cpu.R[ins.C] = cpu.R[ins.A] / cpu.R[ins.B];
                return FaultCode.None;
            }

            [Opcode(20, "DJMPE", "ADDR", "jump if eq")]
            public static Branch Djmpe(ref Cpu cpu, in Instruction ins) => cpu.Eq ? Branch.To(ins.Imm) : Branch.NotTaken;
        """;

    [Fact]
    public void HandlerBodiesAreCopiedWithReturnsAsJumps()
    {
        string dispatch = Generate(DivAndDjmpe)["Machine.Dispatch.g.cs"];
        // Dispatch indexes by opcode number: LOAD 0, DIV 1, DJMPE 2, IGL 3.
        Assert.Contains("""
                    Op1: // DIV R R R: div
                    if (TBudget.IsBounded)
                    {
                        if (--steps < 0) goto OutOfSteps;
                    }
                    {
                        if (cpu.R[(*ip).B] == 0)
                            { exitCode = (int)(FaultCode.DivZero); goto Fault; }
                        cpu.R[(*ip).C] = cpu.R[(*ip).A] / cpu.R[(*ip).B];
                        goto Op1_1;
                    }
                    Op1_1:
                    ip++;
            """, dispatch);
        Assert.Contains("""
                    Op2: // DJMPE ADDR: jump if eq
                    if (TBudget.IsBounded)
                    {
                        if (--steps < 0) goto OutOfSteps;
                    }
                    {
                        if (cpu.Eq)
                        {
                            { int nextSlot = (*ip).Imm; if (nextSlot < 0) { exitCode = -nextSlot; goto Fault; } ip = code + (uint)nextSlot; goto Op2_dispatch; }
                        }
                        else
                        {
                            goto Op2_1;
                        }
                    }
                    Op2_1:
                    ip++;
                    Op2_dispatch:
            """, dispatch);
    }

    [Fact]
    public void SuperinstructionsChargeTheirStepsOnEntryAndFaultPerPart()
    {
        var sources = Generate(DivAndDjmpe + """
                [Superinstruction("LOAD|DIV", "DJMPE")]
                internal static class Fused { }
            """);
        Assert.Contains("new byte[] { 9, 0, 2 }, // LOAD + DJMPE", sources["InstructionDecoder.g.cs"]);
        Assert.Contains("new byte[] { 10, 1, 2 }, // DIV + DJMPE", sources["InstructionDecoder.g.cs"]);
        Assert.Contains("public const int DispatchCount = 11;", sources["InstructionDecoder.g.cs"]);
        string dispatch = sources["Machine.Dispatch.g.cs"];
        // On entry, a bounded run takes both steps at once, or runs DIV alone when it cannot.
        Assert.Matches(@"Op10: // DIV R R R \+ DJMPE ADDR\s*if \(TBudget.IsBounded\)\s*\{\s*steps -= 2;\s*if \(steps < 0\) \{ steps \+= 2; goto Op1; \}\s*\}", dispatch);
        // A fault in the first part gives back the second part's step.
        Assert.Contains("{ if (TBudget.IsBounded) steps += 1; exitCode = (int)(FaultCode.DivZero); goto Fault; }", dispatch);
        // The second part reads its own slot and faults at its own address.
        Assert.Contains("{ int nextSlot = ip[1].Imm; if (nextSlot < 0) { ip += 1; exitCode = -nextSlot; goto Fault; } ip = code + (uint)nextSlot; goto Op10_dispatch; }", dispatch);
        Assert.DoesNotContain("cpu.StepsLeft--", dispatch);
        Assert.Contains("Op10_2:\n        ip += 2;", dispatch);
        Assert.Contains("default: // superinstructions are never decoded for this interpreter", sources["Machine.ReferenceDispatch.g.cs"]);
    }

    [Fact]
    public void ASuperinstructionKeepsForwardedFieldsInALocal()
    {
        string dispatch = Generate("""
                [Opcode(13, "LT", "R R", "eq = R[a] < R[b]")]
                public static unsafe void Lt(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] < cpu.R[ins.B];

                [Opcode(20, "DJMPE", "ADDR", "jump if eq")]
                public static Branch Djmpe(ref Cpu cpu, in Instruction ins) => cpu.Eq ? Branch.ToSlot(ins.Imm) : Branch.NotTaken;

                [Superinstruction("LT", "DJMPE")]
                internal static class Fused { }
            """)["Machine.Dispatch.g.cs"];
        // Alone, each writes and reads the field; fused, the flag goes to a local the branch reads,
        // and back to the field on the way out of the label, taken or not.
        Assert.Contains("cpu.Eq = cpu.R[(*ip).A] < cpu.R[(*ip).B];", dispatch);
        Assert.Contains("if (cpu.Eq)", dispatch);
        Assert.Contains("bool forwardedEq = cpu.Eq;", dispatch);
        Assert.Contains("forwardedEq = cpu.R[(*ip).A] < cpu.R[(*ip).B];", dispatch);
        Assert.DoesNotContain("cpu.Eq = forwardedEq = ", dispatch);
        // Each side of the branch knows the flag: the local is set to the constant there, so the
        // compare feeds the branch alone and the field gets a constant. Alone, DJMPE says nothing.
        Assert.Matches(@"if \(forwardedEq\)\s*\{\s*forwardedEq = true;\s*\{ cpu\.Eq = forwardedEq; ip = code \+ \(uint\)\(ip\[1\]\.Imm\); goto Op", dispatch);
        Assert.Matches(@"else\s*\{\s*forwardedEq = false;\s*\{ cpu\.Eq = forwardedEq; goto Op\d+_2; \}", dispatch);
        Assert.DoesNotContain("cpu.Eq = true", dispatch);
        Assert.DoesNotContain("__fwd_", dispatch);
    }

    [Fact]
    public void TheStackRegistersLiveInLocalsOfTheWholeInterpreter()
    {
        string dispatch = Generate("""
                [Opcode(44, "PUSH", "R", "push R[a]")]
                public static unsafe FaultCode Push(ref Cpu cpu, in Instruction ins)
                {
                    int sp = cpu.Sp;
                    if (sp < cpu.StackCapacity)
                    {
                        cpu.Stack[(uint)sp] = cpu.R[ins.A];
                        cpu.Sp = sp + 1;
                        return FaultCode.None;
                    }
                    return Grow(ref cpu, cpu.R[ins.A]);
                }

                internal static FaultCode Grow(ref Cpu cpu, int value) => FaultCode.Stack;

                [Superinstruction("PUSH", "PUSH")]
                internal static class Fused { }
            """)["Machine.Dispatch.g.cs"];
        // sp is resident: read once when the run starts, and every label, alone or fused, works on
        // the local. The storage is only forwarded: a superinstruction reads it once, into its own local.
        Assert.Single(Regex.Matches(dispatch, @"int forwardedSp = cpu\.Sp;"));
        Assert.Contains("cpu.Stack[(uint)sp] = cpu.R[(*ip).A];", dispatch);
        Assert.Contains("int* forwardedStack = cpu.Stack;", dispatch);
        Assert.Contains("forwardedStack[(uint)sp] = cpu.R[ip[1].A];", dispatch);
        Assert.Contains("int sp = forwardedSp;", dispatch);
        Assert.Contains("forwardedSp = sp + 1;", dispatch);
        Assert.DoesNotContain("cpu.Sp = sp", dispatch);
        // Grow reads sp from the cpu and may change it: sp goes back first and is read again right
        // after, fault or not; then the slow path gives back the second part's step and leaves for
        // a dispatch site that no label's fast path shares.
        Assert.Contains("{ cpu.Sp = forwardedSp; FaultCode faultCode = global::Iridium.Vm.Handlers.Grow(ref cpu, cpu.R[(*ip).A]); forwardedSp = cpu.Sp; "
            + "if (faultCode != FaultCode.None) { if (TBudget.IsBounded) steps += 1; exitCode = (int)faultCode; goto Fault; } "
            + "if (TBudget.IsBounded) steps += 1; ip++; goto Redispatch; }", dispatch);
        Assert.Matches(@"Redispatch:\s*switch \(ip->Op\)", dispatch);
        // Wherever the run leaves the interpreter, sp goes back to the cpu.
        Assert.Matches(@"Stop:\s*\{\s*cpu\.Sp = forwardedSp;", dispatch);
        Assert.Matches(@"Fault:\s*cpu\.Sp = forwardedSp;", dispatch);
        Assert.Matches(@"OutOfSteps:\s*cpu\.Sp = forwardedSp;", dispatch);
    }

    [Fact]
    public void ALoopVariantGoesRoundWithoutDispatchOrTargetLoad()
    {
        var sources = Generate("""
                [Opcode(13, "LT", "R R", "eq = R[a] < R[b]")]
                public static unsafe void Lt(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] < cpu.R[ins.B];

                [Opcode(20, "DJMPE", "ADDR", "jump if eq")]
                public static Branch Djmpe(ref Cpu cpu, in Instruction ins) => cpu.Eq ? Branch.ToSlot(ins.Imm) : Branch.NotTaken;

                [Superinstruction("LOAD|LT", "DJMPE", Loops = true)]
                internal static class Fused { }
            """);
        // Dispatch indexes: LOAD 0, LT 1, DJMPE 2, IGL 3, pseudo-ops 4-8, LOAD+DJMPE 9, LT+DJMPE 10, their loop variants 11 and 12.
        string decoder = sources["InstructionDecoder.g.cs"];
        Assert.Contains("public const int DispatchCount = 13;", decoder);
        Assert.Contains("public const int FirstLoopIndex = 11;", decoder);
        Assert.Contains("9 => 11, // LOAD + DJMPE", decoder);
        Assert.Contains("10 => 12, // LT + DJMPE", decoder);
        string dispatch = sources["Machine.Dispatch.g.cs"];
        Assert.Contains("Op12: // LT R R + DJMPE ADDR, its last part branching to its first", dispatch);
        // Taken, the branch starts the next round at the label, which charges the round's steps (the
        // flag goes back to the cpu first: the label reads it again).
        Assert.Matches(@"if \(forwardedEq\)\s*\{\s*forwardedEq = true;\s*\{ cpu\.Eq = forwardedEq; goto Op12; \}\s*\}", dispatch);
        Assert.Matches(@"Op12: // LT R R \+ DJMPE ADDR, its last part branching to its first\s*if \(TBudget.IsBounded\)\s*\{\s*steps -= 2;\s*if \(steps < 0\) \{ steps \+= 2; goto Op1; \}\s*\}", dispatch);
        // The plain superinstruction still loads its target and dispatches.
        Assert.Contains("{ cpu.Eq = forwardedEq; ip = code + (uint)(ip[1].Imm); goto Op10_dispatch; }", dispatch);
    }

    [Fact]
    public void JumpsToDecodedTargetsAreNotTested()
    {
        string dispatch = Generate("""
                [Opcode(20, "DJMPE", "ADDR", "jump if eq")]
                public static Branch Djmpe(ref Cpu cpu, in Instruction ins) => cpu.Eq ? Branch.ToSlot(ins.Imm) : Branch.NotTaken;
            """)["Machine.Dispatch.g.cs"];
        Assert.Contains("{ ip = code + (uint)((*ip).Imm); goto Op1_dispatch; }", dispatch);
        Assert.Contains("if (ip->Op == InstructionDecoder.JumpFaultIndex) goto JumpFault;", dispatch);
    }

    [Fact]
    public void ControlFlowIsInferredFromTheReturnType()
    {
        var (driver, _, _) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(RealVmSources()));
        string table = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "OpcodeTable.g.cs").SourceText.ToString();
        Assert.Contains("Opcode.CALL, \"CALL\", \"ADDR\", new[] { OperandKind.Address }, ControlFlow.Jump", table);
        Assert.Contains("Opcode.DIV, \"DIV\", \"R R R\", new[] { OperandKind.Register, OperandKind.Register, OperandKind.Register }, ControlFlow.NextOrFault", table);
        Assert.Contains("Opcode.HLT, \"HLT\", \"\", System.Array.Empty<OperandKind>(), ControlFlow.Stop", table);
        Assert.Contains("Opcode.ADD, \"ADD\", \"R R R\", new[] { OperandKind.Register, OperandKind.Register, OperandKind.Register }, ControlFlow.Next,", table);
    }

    [Fact]
    public void IRG0001_DuplicateOpcodeNumber()
    {
        var d = SingleDiagnostic("""
                [Opcode(0, "NOP", "", "nothing")]
                public static void Nop(ref Cpu cpu, in Instruction ins) { }
            """);
        Assert.Equal("IRG0001", d.Id);
        Assert.Equal("Opcode(0, \"NOP\", \"\", \"nothing\")", SpanText(d));
    }

    [Fact]
    public void IRG0002_UnknownOperandKind()
    {
        var d = SingleDiagnostic("""
                [Opcode(1, "ADD", "R R Q", "bad")]
                public static void Add(ref Cpu cpu, in Instruction ins) { }
            """);
        Assert.Equal("IRG0002", d.Id);
        Assert.Contains("'Q'", d.GetMessage());
        Assert.Equal("Opcode(1, \"ADD\", \"R R Q\", \"bad\")", SpanText(d));
    }

    [Theory]
    [InlineData("public void Add(ref Cpu cpu, in Instruction ins) { }", "not static")]
    [InlineData("public static void Add(Cpu cpu, Instruction ins) { }", "ref Cpu")]
    [InlineData("public static void Add(ref Cpu cpu, Instruction ins) { }", "in Instruction")]
    [InlineData("public static int Add(ref Cpu cpu, in Instruction ins) => 0;", "return type")]
    [InlineData("public static void Add(ref Cpu cpu) { }", "1 parameters")]
    public void IRG0003_HandlerSignatureMismatch(string method, string reason)
    {
        var d = SingleDiagnostic($$"""
                [Opcode(1, "ADD", "R R R", "sum")]
                {{method}}
            """);
        Assert.Equal("IRG0003", d.Id);
        Assert.Contains(reason, d.GetMessage());
        Assert.Equal("Add", SpanText(d));
    }

    [Fact]
    public void IRG0004_DuplicateMnemonic()
    {
        var d = SingleDiagnostic("""
                [Opcode(1, "load", "R IMM32", "again")]
                public static void Load2(ref Cpu cpu, in Instruction ins) { }
            """);
        // Lower-case mnemonics are rejected first; use a distinct spelling check below.
        Assert.Equal("IRG0006", d.Id);

        var dup = SingleDiagnostic("""
                [Opcode(1, "LOAD", "R IMM32", "again")]
                public static void Load2(ref Cpu cpu, in Instruction ins) { }
            """);
        Assert.Equal("IRG0004", dup.Id);
        Assert.Equal("Opcode(1, \"LOAD\", \"R IMM32\", \"again\")", SpanText(dup));
    }

    [Theory]
    [InlineData("R IMM32 R")]
    [InlineData("ADDR U16")]
    [InlineData("R R R R")]
    public void IRG0005_OperandsTooWide(string format)
    {
        var d = SingleDiagnostic($$"""
                [Opcode(1, "WIDE", "{{format}}", "too much")]
                public static void Wide(ref Cpu cpu, in Instruction ins) { }
            """);
        Assert.Equal("IRG0005", d.Id);
        Assert.Equal($"Opcode(1, \"WIDE\", \"{format}\", \"too much\")", SpanText(d));
    }

    [Theory]
    [InlineData("")]
    [InlineData("9LIVES")]
    [InlineData("LOAD_X")]
    public void IRG0006_InvalidMnemonic(string mnemonic)
    {
        var d = SingleDiagnostic($$"""
                [Opcode(1, "{{mnemonic}}", "", "x")]
                public static void X(ref Cpu cpu, in Instruction ins) { }
            """);
        Assert.Equal("IRG0006", d.Id);
    }

    [Fact]
    public void IRG0007_CatchAllOpcode()
    {
        var handlers = """
            namespace Iridium.Vm;
            internal static partial class Handlers
            {
                [Opcode(5, "HLT", "", "stop")]
                public static StopCode Hlt(ref Cpu cpu, in Instruction ins) => StopCode.Halt;
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(new OpcodeGenerator(), GeneratorHarness.CreateCompilation(VmWith(handlers)));
        var d = Assert.Single(diagnostics);
        Assert.Equal("IRG0007", d.Id);
        Assert.Contains("found 0", d.GetMessage());
    }

    [Theory]
    [InlineData("{ System.Func<int> f = () => 1; cpu.R[0] = f(); }", "contains a lambda", "() => 1")]
    [InlineData("{ int ip = 1; cpu.R[0] = ip; }", "declares 'ip'", "ip = 1")]
    [InlineData("{ cpu.R[0] = Two(); } private static int Two() => 2;", "'Two', which is private", "Two")]
    public void IRG0008_UnsupportedHandlerBody(string body, string reason, string span)
    {
        var d = SingleDiagnostic($$"""
                [Opcode(1, "ODD", "", "odd")]
                public static unsafe void Odd(ref Cpu cpu, in Instruction ins) {{body}}
            """);
        Assert.Equal("IRG0008", d.Id);
        Assert.Contains(reason, d.GetMessage());
        Assert.Equal(span, SpanText(d));
    }

    [Fact]
    public void IRG0009_UnknownSuperinstructionMnemonic()
    {
        var d = SingleDiagnostic("""
                [Superinstruction("LOAD", "NOPE")]
                internal static class Fused { }
            """);
        Assert.Equal("IRG0009", d.Id);
        Assert.Contains("position 2 names 'NOPE'", d.GetMessage());
        Assert.Equal("Superinstruction(\"LOAD\", \"NOPE\")", SpanText(d));
    }

    [Theory]
    [InlineData("[Superinstruction(\"LOAD\")]", "has 1 parts")]
    [InlineData("[Superinstruction(\"IGL\", \"LOAD\")]", "has IGL before its last part")]
    [InlineData("[Superinstruction(\"LOAD\", \"LOAD\")] [Superinstruction(\"LOAD\", \"LOAD|IGL\")]", "LOAD LOAD is declared twice")]
    [InlineData("[Superinstruction(\"LOAD\", \"LOAD\", Loops = true)]", "loops, but its last part (LOAD) never branches to a decoded ADDR target")]
    public void IRG0010_InvalidSuperinstruction(string attributes, string reason)
    {
        var d = SingleDiagnostic($$"""
                {{attributes}}
                internal static class Fused { }
            """);
        Assert.Equal("IRG0010", d.Id);
        Assert.Contains(reason, d.GetMessage());
    }

    [Fact]
    public void SecondRunWithAnUnrelatedEditIsCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(RealVmSources());
        var driver = GeneratorHarness.CreateDriver(new OpcodeGenerator()).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; class Unrelated { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);

        Assert.All(GeneratorHarness.StepReasons(driver, OpcodeGenerator.ParseStep),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.NotEmpty(GeneratorHarness.StepReasons(driver, OpcodeGenerator.BuildStep));
        Assert.All(GeneratorHarness.StepReasons(driver, OpcodeGenerator.BuildStep),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void ModelsHoldNoCompilerObjects()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel), typeof(Location), typeof(SyntaxTree) };
        var modelTypes = typeof(OpcodeGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace is not null && t.Namespace.EndsWith(".Model", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(modelTypes);
        var seen = new HashSet<Type>();
        foreach (var type in modelTypes) Walk(type);

        void Walk(Type type)
        {
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string)) return;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            if (type.IsGenericType) foreach (var arg in type.GetGenericArguments()) Walk(arg);
            if (type.Namespace?.StartsWith("Iridium", StringComparison.Ordinal) != true) return;
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)) Walk(field.FieldType);
        }
    }

    private Compilation? _lastCompilation;

    private Diagnostic SingleDiagnostic(string extraHandlers)
    {
        _lastCompilation = GeneratorHarness.CreateCompilation(VmWith(Handlers(extraHandlers)));
        var (_, _, diagnostics) = GeneratorHarness.Run(new OpcodeGenerator(), (Microsoft.CodeAnalysis.CSharp.CSharpCompilation)_lastCompilation);
        return Assert.Single(diagnostics);
    }

    private string SpanText(Diagnostic d) => GeneratorHarness.SpanText(d, _lastCompilation!);
}
