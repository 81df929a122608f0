using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>Every error kind of docs/reference/assembly.md, "Errors", with its line and column.</summary>
public class ErrorTests
{
    [Theory]
    // ParseError: stray characters, missing sigils, two statements, bad numbers, label on a section line.
    [InlineData(".data\n.code\nload $0, #1\n", AssemblyErrorKind.ParseError, 3, 8)]
    [InlineData(".data\n.code\nload $0 5\n", AssemblyErrorKind.ParseError, 3, 9)]
    [InlineData(".data\n.code\nhlt hlt\n", AssemblyErrorKind.ParseError, 3, 5)]
    [InlineData(".data\n.code\nload $0 #1.\n", AssemblyErrorKind.ParseError, 3, 9)]
    [InlineData(".data\n.code\nload $0 #0x10\n", AssemblyErrorKind.ParseError, 3, 11)]
    [InlineData(".data\n.code\nload $0 # 5\n", AssemblyErrorKind.ParseError, 3, 9)]
    [InlineData(".data\n.code\nload $ 5 #1\n", AssemblyErrorKind.ParseError, 3, 6)]
    [InlineData(".data\n.code\nprts @\n", AssemblyErrorKind.ParseError, 3, 6)]
    [InlineData(".data\nx: .code\n", AssemblyErrorKind.ParseError, 2, 1)]
    [InlineData(".data\n.code\na: b: hlt\n", AssemblyErrorKind.ParseError, 3, 4)]
    [InlineData(".data\n.code\n\thlt\t$1 .data\n", AssemblyErrorKind.ParseError, 3, 9)]
    [InlineData(".data\n.code\nmy_op $1\n", AssemblyErrorKind.ParseError, 3, 1)]
    [InlineData(".data\n.code .data\n", AssemblyErrorKind.ParseError, 2, 7)]
    [InlineData(".data\n.code\n#5\n", AssemblyErrorKind.ParseError, 3, 1)]
    // UnterminatedString
    [InlineData(".data\nmsg: .asciiz 'Hello\n.code\n", AssemblyErrorKind.UnterminatedString, 2, 14)]
    // WrongSection (a file starts in .code, so a directive before any header is in the wrong one)
    [InlineData("  .asciiz 'a'\n.data\n.code\n", AssemblyErrorKind.WrongSection, 1, 3)]
    [InlineData(".data\n  hlt\n.code\n", AssemblyErrorKind.WrongSection, 2, 3)]
    [InlineData(".data\n.code\nn: .integer #1\n", AssemblyErrorKind.WrongSection, 3, 4)]
    // DuplicateSection
    [InlineData(".data\n.code\nhlt\n.data\n", AssemblyErrorKind.DuplicateSection, 4, 1)]
    // UnknownDirectiveFound (directive names are lowercase)
    [InlineData(".data\n.code\n.text\n", AssemblyErrorKind.UnknownDirectiveFound, 3, 1)]
    [InlineData(".DATA\n.data\n.code\n", AssemblyErrorKind.UnknownDirectiveFound, 1, 1)]
    // StringConstantDeclaredWithoutLabel (both directives)
    [InlineData(".data\n .asciiz 'x'\n.code\n", AssemblyErrorKind.StringConstantDeclaredWithoutLabel, 2, 2)]
    [InlineData(".data\n.integer #1\n.code\n", AssemblyErrorKind.StringConstantDeclaredWithoutLabel, 2, 1)]
    // SymbolAlreadyDeclared: reported at the second declaration.
    [InlineData(".data\n.code\nx: hlt\n  x: hlt\n", AssemblyErrorKind.SymbolAlreadyDeclared, 4, 3)]
    [InlineData(".data\nx: .integer #1\n.code\nx: hlt\n", AssemblyErrorKind.SymbolAlreadyDeclared, 4, 1)]
    // UndefinedSymbol
    [InlineData(".data\n.code\ndjmpe @nowhere\n", AssemblyErrorKind.UndefinedSymbol, 3, 7)]
    [InlineData(".data\n.code\nx: hlt\ncall @X\n", AssemblyErrorKind.UndefinedSymbol, 4, 6)]
    // UnknownOpcode
    [InlineData(".data\n.code\n  jump @x\nx:\n", AssemblyErrorKind.UnknownOpcode, 3, 3)]
    [InlineData(".data\n.code\nloadf32 $0 #1\n", AssemblyErrorKind.UnknownOpcode, 3, 1)]
    // InvalidOperands: count and kind.
    [InlineData(".data\n.code\nload $0\n", AssemblyErrorKind.InvalidOperands, 3, 1)]
    [InlineData(".data\n.code\nhlt $0\n", AssemblyErrorKind.InvalidOperands, 3, 5)]
    [InlineData(".data\n.code\nload #5 #5\n", AssemblyErrorKind.InvalidOperands, 3, 6)]
    [InlineData(".data\n.code\nx: jmpe @x\n", AssemblyErrorKind.InvalidOperands, 3, 9)]
    [InlineData(".data\n.code\nload $0 #1.5\n", AssemblyErrorKind.InvalidOperands, 3, 9)]
    [InlineData(".data\n.code\nloadf64 $0 #1.5\n", AssemblyErrorKind.InvalidOperands, 3, 12)]
    [InlineData(".data\n.code\nx: cloop @x\n", AssemblyErrorKind.InvalidOperands, 3, 10)]
    [InlineData(".data\n.code\nprts 'hi'\n", AssemblyErrorKind.InvalidOperands, 3, 6)]
    [InlineData(".data\ns: .asciiz #1\n.code\n", AssemblyErrorKind.InvalidOperands, 2, 12)]
    [InlineData(".data\nn: .integer 'x'\n.code\n", AssemblyErrorKind.InvalidOperands, 2, 13)]
    [InlineData(".data\nn: .integer\n.code\n", AssemblyErrorKind.InvalidOperands, 2, 4)]
    // InvalidRegister
    [InlineData(".data\n.code\nadd $1 $32 $3\n", AssemblyErrorKind.InvalidRegister, 3, 8)]
    [InlineData(".data\n.code\ninc $99999999999999999999999\n", AssemblyErrorKind.InvalidRegister, 3, 5)]
    // IntegerOutOfRange: per field.
    [InlineData(".data\n.code\nload $0 #2147483648\n", AssemblyErrorKind.IntegerOutOfRange, 3, 9)]
    [InlineData(".data\n.code\nload $0 #-2147483649\n", AssemblyErrorKind.IntegerOutOfRange, 3, 9)]
    [InlineData(".data\n.code\nlui $0 #65536\n", AssemblyErrorKind.IntegerOutOfRange, 3, 8)]
    [InlineData(".data\n.code\nlui $0 #-32769\n", AssemblyErrorKind.IntegerOutOfRange, 3, 8)]
    [InlineData(".data\n.code\nprts #-1\n", AssemblyErrorKind.IntegerOutOfRange, 3, 6)]
    [InlineData(".data\n.code\ncloop #65536\n", AssemblyErrorKind.IntegerOutOfRange, 3, 7)]
    [InlineData(".data\n.code\nshl $0 #0\n", AssemblyErrorKind.IntegerOutOfRange, 3, 8)]
    [InlineData(".data\n.code\nshr $0 #32\n", AssemblyErrorKind.IntegerOutOfRange, 3, 8)]
    [InlineData(".data\n.code\nloadf64 $0 #65536.0\n", AssemblyErrorKind.IntegerOutOfRange, 3, 12)]
    [InlineData(".data\nn: .integer #99999999999999999999999999\n.code\n", AssemblyErrorKind.IntegerOutOfRange, 2, 13)]
    [InlineData(".data\n.code\ncall #70000\n", AssemblyErrorKind.IntegerOutOfRange, 3, 6)]
    public void ErrorKindLineAndColumn(string source, AssemblyErrorKind kind, int line, int column)
    {
        var error = SingleError(source);
        Assert.True((kind, line, column) == (error.Kind, error.Line, error.Column), error.Render());
    }

    [Fact]
    public void AddressOutOfRange_ForLabelsPast65535_In70000Instructions()
    {
        var source = new System.Text.StringBuilder(".data\n.code\njmp_back: call @far\n");
        for (int i = 0; i < 70_000; i++) source.Append("nop\n");
        source.Append("far: ret\nload $0 @jmp_back\n");
        var result = Assembler.Assemble(source.ToString(), "big.iasm");
        var error = Assert.Single(result.Errors);
        Assert.Equal((AssemblyErrorKind.AddressOutOfRange, 3, 16), (error.Kind, error.Line, error.Column));
        Assert.Contains("280072", error.Message);
    }

    [Fact]
    public void SwappedOperands_AreOneMistake_ReportedAtTheFirst()
        => Assert.Equal([6], Assembler.Assemble(".data\n.code\nload #5 $0\n").Errors.Select(e => e.Column));

    [Fact]
    public void AllErrorsOfOneRunAreReported_InLineOrder()
    {
        var result = Assembler.Assemble("""
            .data
            .code
            load $0 #99999999999
            frob $1
            add $1 $2
            jmp @missing
            hlt
            .code
            """, "many.iasm");
        Assert.Equal(
            [
                (AssemblyErrorKind.IntegerOutOfRange, 3), (AssemblyErrorKind.UnknownOpcode, 4), (AssemblyErrorKind.InvalidOperands, 5),
                (AssemblyErrorKind.InvalidOperands, 6), (AssemblyErrorKind.DuplicateSection, 8),
            ],
            result.Errors.Select(e => (e.Kind, e.Line)));
        Assert.Null(result.Image);
    }

    [Fact]
    public void LabelOnABrokenLine_IsStillDefined_SoNoCascade()
    {
        var result = Assembler.Assemble(".data\n.code\ntop: load $0 #1 2\njmp_it: djmpe @top\n");
        Assert.Equal(AssemblyErrorKind.ParseError, Assert.Single(result.Errors).Kind);
    }

    [Fact]
    public void Render_HasLocationKindMessageSourceAndCaret()
    {
        var error = SingleError(".data\n.code\n\tload $0 #1 #2 ; too many\n");
        Assert.Equal(
            "test.iasm:3:13: error[InvalidOperands]: LOAD takes 2 operands (R IMM32); this operand is one too many\n" +
            "\tload $0 #1 #2 ; too many\n" +
            "\t           ^^",
            error.Render());
    }

    [Fact]
    public void Render_HugeLine_IsCutAroundTheCaret()
    {
        string line = new string(' ', 100_000) + "bogus" + new string(' ', 100_000) + "; end";
        var error = SingleError(".data\n.code\n" + line + "\n");
        Assert.Equal((AssemblyErrorKind.UnknownOpcode, 3, 100_001), (error.Kind, error.Line, error.Column));
        var lines = error.Render().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.True(lines[1].Length < 200);
        Assert.StartsWith("...", lines[1]);
        Assert.EndsWith("...", lines[1]);
        int caret = lines[2].IndexOf('^');
        Assert.Equal("bogus", lines[1].Substring(caret, 5));
        Assert.Equal("^^^^^", lines[2][caret..]);
    }

    [Fact]
    public void Render_BinaryGarbage_IsSanitised()
    {
        var error = SingleError(".data\n.code\nhlt \u0001\u001b[2J\n");
        Assert.Equal(AssemblyErrorKind.ParseError, error.Kind);
        Assert.Contains("U+0001", error.Message);
        Assert.DoesNotContain('\u001b', error.Render());
    }

    [Fact]
    public void Errors_AreCappedWithANote()
    {
        var source = ".data\n.code\n" + string.Concat(Enumerable.Repeat("bad!\n", 5000));
        var result = Assembler.Assemble(source);
        Assert.Equal(AssemblyResult.ErrorLimit, result.Errors.Count);
        Assert.True(result.ErrorLimitReached);
        Assert.EndsWith("stopped after 1000 errors; fix these and assemble again\n", result.RenderErrors());
    }

    [Fact]
    public void UnresolvableLabelInsideUnusedOperand_NothingIsWritten()
    {
        var result = Assembler.Assemble(".data\n.code\nhlt\nprts @nothing\n");
        Assert.False(result.Success);
        Assert.Null(result.Image);
    }
}
