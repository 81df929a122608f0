using Iridium.Vm;
using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>Worked examples of the assembly language with their exact bytes (and results).</summary>
public class SpecExampleTests
{
    [Fact]
    public void TinyProgram_Section1_Is84Bytes()
    {
        var image = AssembleOk("""
            .data
            .code
            load $0 #500      ; R0 = 500
            load $1 #3
            div $0 $1 $2      ; R2 = 166, remainder 2
            hlt
            """);
        var expected = new byte[84];
        Hex("45504945").CopyTo(expected, 0);
        Hex("000001F4 00010003 04000102 05000000").CopyTo(expected, 68);
        Assert.Equal(expected, image);
        var (m, stop, _) = Run(image);
        Assert.Equal(VmEventKind.GracefulStop, stop.Kind);
        Assert.Equal(166, m.Registers[2]);
        Assert.Equal(2, m.Remainder);
    }

    [Fact]
    public void Greeting_Section8_Is79BytesAndPrintsHi()
    {
        var image = AssembleOk("""
            .data
            greeting: .asciiz 'Hi'
            .code
            prts @greeting
            hlt
            """);
        Assert.Equal(79, image.Length);
        Assert.Equal(Hex("45504945"), image[..4]);
        Assert.All(image[4..64], b => Assert.Equal(0, b));
        Assert.Equal(Hex("03000000 486900 15000000 05000000"), image[64..]);
        Assert.Equal("Hi", Run(image).Output);
    }

    [Fact]
    public void Loop_Section10_1()
    {
        var image = AssembleOk("""
            .data
            .code
            cloop #10          ; 68: 28 00 0A 00
            load $1 #20        ; 72: 00 01 00 14
            top: inc $1        ; 76: 12 01 00 00
            loop @top          ; 80: 29 00 4C 00
            hlt                ; 84: 05 00 00 00
            """);
        Assert.Equal(Hex("28000A00 00010014 12010000 29004C00 05000000"), CodeOf(image));
        Assert.Equal(31, Run(image).Machine.Registers[1]);
    }

    [Fact]
    public void Subroutine_Section10_2()
    {
        var image = AssembleOk("""
            .data
            .code
            load $0 #400       ; 68
            call @sub          ; 72: 2E 00 50 00
            hlt                ; 76
            sub: load $0 #500  ; 80
            ret                ; 84
            """);
        Assert.Equal(Hex("00000190 2E005000 05000000 000001F4 2F000000"), CodeOf(image));
        Assert.Equal(500, Run(image).Machine.Registers[0]);
    }

    [Fact]
    public void ConditionalBranch_Section10_3()
    {
        var image = AssembleOk("""
            .data
            .code
            load $0 #3
            load $1 #0
            top: dec $0
            neq $0 $1
            djmpe @top         ; loop while R0 != 0
            hlt
            """);
        Assert.Equal(Hex("00000003 00010000 13000000 0A000100 14004C00 05000000"), CodeOf(image));
        Assert.Equal(0, Run(image).Machine.Registers[0]);
    }

    [Fact]
    public void LabelAddressesWithData_Section10_4()
    {
        var result = Assembler.Assemble("""
            .data
            msg: .asciiz 'abc'     ; ro offset 0, 4 bytes
            n: .integer #7         ; ro offset 4, 4 bytes
            .code
            first: load $0 @msg    ; address 76 (68 + 8); R0 = 0
            load $1 @n             ; address 80; R1 = 4
            load $2 @first         ; R2 = 76
            hlt
            """);
        Assert.True(result.Success, result.RenderErrors());
        Assert.True(result.Symbols.TryGet("msg", out var msg));
        Assert.Equal(new Symbol("msg", 0, SymbolKind.Data), msg);
        Assert.True(result.Symbols.TryGet("n", out var n));
        Assert.Equal(new Symbol("n", 4, SymbolKind.Data), n);
        Assert.True(result.Symbols.TryGet("first", out var first));
        Assert.Equal(new Symbol("first", 76, SymbolKind.Code), first);
        var image = result.Image!;
        Assert.Equal(Hex("08000000 61626300 07000000"), image[64..76]);
        Assert.Equal(Hex("00000000 00010004 0002004C 05000000"), CodeOf(image));
        var m = Run(image).Machine;
        Assert.Equal([0, 4, 76], m.Registers[..3].ToArray());
    }

    [Fact]
    public void LabelAfterThreeByteString_Section5_4()
    {
        var result = Assembler.Assemble(".data\nmsg: .asciiz 'abc'\n.code\na: nop\nb: hlt\n");
        Assert.True(result.Success, result.RenderErrors());
        Assert.True(result.Symbols.TryGet("a", out var a));
        Assert.True(result.Symbols.TryGet("b", out var b));
        Assert.Equal((72, 76), (a.Value, b.Value));
    }

    [Theory]
    [InlineData("#70000", "00 05 00 01 27 05 11 70", 70000)]
    [InlineData("#-1", "00 05 FF FF 27 05 FF FF", -1)]
    [InlineData("#-50000", "00 05 FF FF 27 05 3C B0", -50000)]
    [InlineData("#32768", "00 05 80 00", 32768)]
    [InlineData("#40000", "00 05 9C 40", 40000)]
    [InlineData("#65536", "00 05 00 01 27 05 00 00", 65536)]
    [InlineData("#65535", "00 05 FF FF", 65535)]
    [InlineData("#0", "00 05 00 00", 0)]
    [InlineData("#2147483647", "00 05 7F FF 27 05 FF FF", int.MaxValue)]
    [InlineData("#-2147483648", "00 05 80 00 27 05 00 00", int.MinValue)]
    public void LoadExpansion_Section6_2(string literal, string bytes, int value)
    {
        var image = AssembleOk($".data\n.code\nload $5 {literal}\nhlt\n");
        var code = CodeOf(image);
        Assert.Equal(Hex(bytes), code[..^4]);
        Assert.Equal(value, Run(image).Machine.Registers[5]);
    }

    [Theory]
    [InlineData("shl $0 #3", "21 00 03 00")]
    [InlineData("shl $0", "21 00 00 00")]
    [InlineData("shr $7 #31", "22 07 1F 00")]
    [InlineData("loadf64 $0 #2", "16 00 00 02")]
    [InlineData("loadf64 $1 #65535.0", "16 01 FF FF")]
    [InlineData("lui $2 #-1", "27 02 FF FF")]
    [InlineData("lui $2 #-32768", "27 02 80 00")]
    [InlineData("cloop #65535", "28 FF FF 00")]
    [InlineData("prts #3", "15 00 03 00")]
    [InlineData("jmpe $4", "0F 04 00 00")]
    [InlineData("not $1 $2", "26 01 02 00")]
    [InlineData("eqf64 $1 $2", "1B 01 02 00")]
    [InlineData("addf64 $1 $2 $3", "17 01 02 03")]
    [InlineData("djmpe #80", "14 00 50 00")]
    [InlineData("LoAd $000031 #1", "00 1F 00 01")]
    [InlineData("igl", "64 00 00 00")]
    [InlineData("ret", "2F 00 00 00")]
    public void OperandSignatures_Section4_1(string line, string bytes)
        => Assert.Equal(Hex(bytes), CodeOf(AssembleOk($".data\n.code\n{line}\n")));

    [Fact]
    public void EveryOpcodeOfTheTableAssembles()
    {
        foreach (var info in OpcodeTable.All)
        {
            var operands = info.Operands.Select(kind => kind switch
            {
                OperandKind.Register or OperandKind.FloatRegister => "$1",
                OperandKind.Count => "#2",
                _ => "#3",
            });
            var line = string.Join(' ', [info.Mnemonic.ToLowerInvariant(), .. operands]);
            var code = CodeOf(AssembleOk($".data\n.code\n{line}\n"));
            Assert.Equal(4, code.Length);
            Assert.Equal(info.Number, code[0]);
        }
    }

    [Fact]
    public void SectionsInEitherOrder_CrlfAndBlankLines()
    {
        var a = AssembleOk(".code\r\n\r\n; comment\r\n  hlt ; stop\r\n.data\r\nx: .asciiz ''\r\n");
        Assert.Equal(Hex("01000000 00 05000000"), a[64..]);
    }

    [Fact]
    public void PendingLabels_BindToNextItemOrSectionEnd()
    {
        var result = Assembler.Assemble("""
            .data
            a:
            b:
            s: .asciiz 'x'
            end:
            .code
            c:

            ; two labels, one instruction
            d: hlt
            tail:
            """);
        Assert.True(result.Success, result.RenderErrors());
        int Value(string name) => result.Symbols.TryGet(name, out var s) ? s.Value : -1;
        Assert.Equal([0, 0, 0, 2, 70, 70, 74], new[] { Value("a"), Value("b"), Value("s"), Value("end"), Value("c"), Value("d"), Value("tail") });
    }
}
