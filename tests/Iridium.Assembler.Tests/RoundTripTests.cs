using Iridium.Vm;
using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>assemble → disassemble → assemble gives identical bytes, for sources and for odd images.</summary>
public class RoundTripTests
{
    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "examples", "Corpus" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, dir), "*.iasm").Order())
                data.Add(Path.Combine(dir, Path.GetFileName(file)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void SourceRoundTrips(string relativePath)
    {
        var image = AssembleOk(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath)));
        AssertImageRoundTrips(image);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void SourceRoundTrips_WithItsOwnLabels(string relativePath)
    {
        var result = Assembler.Assemble(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath)), relativePath);
        Assert.True(result.Success, result.RenderErrors());
        string listing = Disassembler.Disassemble(result.Image!, new DisassemblyOptions(Symbols: result.Symbols));
        var again = Assembler.Assemble(listing, "listing.iasm");
        Assert.True(again.Success, again.RenderErrors() + listing);
        Assert.Equal(result.Image, again.Image);
        // Every code label of the source that sits on an instruction is in the listing under its own name.
        Assert.True(ProgramImage.TryRead(result.Image, out var layout, out _));
        foreach (var symbol in result.Symbols.All.Where(s => s.Kind == SymbolKind.Code && s.Value < result.Image!.Length && (s.Value - layout.CodeStart) % 4 == 0))
            Assert.Contains($"\n{symbol.Name}:\n", listing);
    }

    [Fact]
    public void Listing_UsesTheSourcesLabels_AndGeneratedOnesNeverClashWithThem()
    {
        // fib is a jump target with a name; 87 (the hlt) is one without, and "L87" names something else.
        var result = Assembler.Assemble("""
            .data
            msg: .asciiz 'Hi'
            L87: .integer #7
            .code
            main: prts @msg
            call @fib
            djmpe #87
            hlt
            fib: ret
            """, "t.iasm");
        Assert.True(result.Success, result.RenderErrors());
        string listing = Disassembler.Disassemble(result.Image!, new DisassemblyOptions(Symbols: result.Symbols));
        Assert.Equal("""
            ; iridium disassembly: 95 bytes, 7 ro bytes, 5 instruction words from address 75
            .data
            msg: .asciiz 'Hi'
            L87: .integer #7
            .code
            main:
                prts @msg
                call @fib
                djmpe @L87_1
            L87_1:
                hlt
            fib:
                ret

            """.ReplaceLineEndings("\n"), listing);
        Assert.Equal(result.Image, AssembleOk(listing));
    }

    [Fact]
    public void CorpusAndExamplesAreFound() => Assert.True(Programs().Count >= 9);

    [Fact]
    public void Listing_HasLabelsForJumpTargetsAndStrings()
    {
        var image = AssembleOk("""
            .data
            greeting: .asciiz 'Hi'
            .code
            top: prts @greeting
            djmpe @top
            call @end
            end: hlt
            """);
        Assert.Equal("""
            ; iridium disassembly: 87 bytes, 3 ro bytes, 4 instruction words from address 71
            .data
            str0: .asciiz 'Hi'
            .code
            L71:
                prts @str0
                djmpe @L71
                call @L83
            L83:
                hlt

            """.ReplaceLineEndings("\n"), Disassembler.Disassemble(image));
    }

    [Fact]
    public void Listing_WithAddresses_ShowsAddressesAndBytes()
    {
        var listing = Disassembler.Disassemble(AssembleOk(".data\nn: .integer #7\n.code\nload $0 #500\n"), new DisassemblyOptions(ShowAddresses: true));
        Assert.Contains("int0: .integer #7" + new string(' ', 32 - 17) + "; ro 0 (68): 07 00 00 00\n", listing);
        Assert.Contains("    load $0 #500" + new string(' ', 32 - 16) + "; 72: 00 00 01 F4\n", listing);
    }

    [Fact]
    public void OddImages_RoundTrip()
    {
        // Unknown opcodes, nonzero padding, bad registers and counts, a truncated tail,
        // ro bytes that are neither strings nor integers, and nonzero reserved header bytes.
        var ro = Hex("FF 00 41 00 00 00 27 41 00 01 02 0A 00 C3 28 00 41 42 43");
        var code = Hex("15 00 02 00 15 00 0D 00 FF 00 00 00 05 00 00 01 00 20 00 01 21 01 40 00 0F 01 02 03 29 00 44 00 14 00 00 01 05 00");
        var image = Iridium.Vm.ProgramImage.Write(ro, code);
        image[10] = 0x99;
        var listing = AssertImageRoundTrips(image);
        Assert.Contains(".header #0 #0 #0 #0 #0 #0 #153", listing);
        Assert.Contains("undefined opcode byte 255", listing);
        Assert.Contains("incomplete instruction", listing);
    }

    [Fact]
    public void RandomImages_RoundTrip()
    {
        var random = new Random(20240917);
        for (int round = 0; round < 300; round++)
        {
            var ro = new byte[random.Next(0, 80)];
            random.NextBytes(ro);
            // Bias towards real opcodes and small operands so many words are canonical instructions.
            var code = new byte[random.Next(0, 120)];
            for (int i = 0; i < code.Length; i++)
            {
                code[i] = (byte)(i % 4 == 0 ? random.Next(0, 110) : random.Next(0, 4) == 0 ? random.Next(0, 256) : random.Next(0, 32));
            }
            var image = Iridium.Vm.ProgramImage.Write(ro, code);
            if (random.Next(0, 5) == 0) image[random.Next(4, 64)] = (byte)random.Next(1, 256);
            AssertImageRoundTrips(image);
        }
    }

    [Fact]
    public void LargeRawRoSection_IsListedInLinearTime()
    {
        // Valid text for a megabyte, spoiled just before its NUL: a naive decoder rescans per offset.
        var ro = new byte[1_000_000];
        ro.AsSpan().Fill((byte)'a');
        ro[^2] = 1;
        var image = Iridium.Vm.ProgramImage.Write(ro, []);
        AssertImageRoundTrips(image);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x45, 0x50, 0x49, 0x45 })]
    public void InvalidImage_Throws(byte[] image)
        => Assert.Throws<InvalidImageException>(() => Disassembler.Disassemble(image));

    [Fact]
    public void InvalidImage_RoLengthPastTheEnd_Throws()
    {
        var image = Iridium.Vm.ProgramImage.Write([1, 2, 3], []);
        image[64] = 200;
        var e = Assert.Throws<InvalidImageException>(() => Disassembler.Disassemble(image));
        Assert.Contains("ro length 200", e.Message);
    }

    private static string AssertImageRoundTrips(byte[] image)
    {
        foreach (bool addresses in new[] { false, true })
        {
            var listing = Disassembler.Disassemble(image, new DisassemblyOptions(addresses));
            var again = Assembler.Assemble(listing, "listing.iasm");
            Assert.True(again.Success, again.RenderErrors() + "\n" + listing);
            Assert.Equal(image, again.Image);
        }
        return Disassembler.Disassemble(image);
    }
}
