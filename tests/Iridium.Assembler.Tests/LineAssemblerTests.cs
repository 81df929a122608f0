using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>The REPL's one-line assembly (docs/reference/assembly.md, "Lines typed at the REPL").</summary>
public class LineAssemblerTests
{
    [Theory]
    [InlineData("load $0 #500", "00 00 01 F4")]
    [InlineData("  ADD $0 $1 $2   ; comment", "01 00 01 02")]
    [InlineData("load $3 #-1", "00 03 FF FF 27 03 FF FF")]
    [InlineData("hlt\r\n", "05 00 00 00")]
    [InlineData("", "")]
    [InlineData("   ; just a comment", "")]
    public void EncodesOneLine(string line, string bytes)
    {
        var result = LineAssembler.Assemble(line, null);
        Assert.Empty(result.Errors);
        Assert.Equal(Hex(bytes), result.Code);
    }

    [Fact]
    public void LabelsResolveAgainstTheLoadedProgram()
    {
        var program = Assembler.Assemble(".data\nmsg: .asciiz 'x'\n.code\nhlt\nsub: ret\n");
        var result = LineAssembler.Assemble("call @sub", program.Symbols);
        Assert.Equal(Hex("2E 00 4A 00"), result.Code);
        Assert.Equal(Hex("15 00 00 00"), LineAssembler.Assemble("prts @msg", program.Symbols).Code);
    }

    [Fact]
    public void LabelDeclaration_IsIgnoredWithAWarning()
    {
        var result = LineAssembler.Assemble("top: inc $1", null);
        Assert.Equal(Hex("12 01 00 00"), result.Code);
        Assert.Contains("top", Assert.Single(result.Warnings));
    }

    [Theory]
    [InlineData(".data", AssemblyErrorKind.ParseError, 1)]
    [InlineData("x: .asciiz 'hi'", AssemblyErrorKind.ParseError, 4)]
    [InlineData("call @nowhere", AssemblyErrorKind.UndefinedSymbol, 6)]
    [InlineData("frob $1", AssemblyErrorKind.UnknownOpcode, 1)]
    [InlineData("load $0 #1 #2", AssemblyErrorKind.InvalidOperands, 12)]
    [InlineData("inc $40", AssemblyErrorKind.InvalidRegister, 5)]
    [InlineData("hlt\nhlt", AssemblyErrorKind.ParseError, 4)]
    public void Errors_AreLocatedAndNothingIsEncoded(string line, AssemblyErrorKind kind, int column)
    {
        var result = LineAssembler.Assemble(line, SymbolTable.Empty);
        var error = Assert.Single(result.Errors);
        Assert.Equal((kind, 1, column), (error.Kind, error.Line, error.Column));
        Assert.Equal(LineAssembler.FileName, error.FileName);
        Assert.Empty(result.Code);
    }
}
