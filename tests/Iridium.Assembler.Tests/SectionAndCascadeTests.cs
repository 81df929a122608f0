using Iridium.Vm;
using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>
/// Section headers are optional (a file starts in .code), and one mistake is one error: a missing
/// header, a misspelt label or a program grown too large is reported once, however many lines it touches.
/// </summary>
public class SectionAndCascadeTests
{
    /// <summary>The counting loop of the original project's examples: no section headers at all.</summary>
    private const string CountingLoop = """
        load $0 #100
        load $1 #1
        load $2 #0
        test: inc $2
        neq $0 $2
        djmpe @test
        hlt
        """;

    [Fact]
    public void AFileWithoutHeaders_IsAllCode_AndRuns()
    {
        var (machine, stop, _) = Run(AssembleOk(CountingLoop));
        Assert.Equal((VmEventKind.GracefulStop, 0), (stop.Kind, stop.Code));
        Assert.Equal(100, machine.Registers[2]);
    }

    [Fact]
    public void AFileWithoutHeaders_AssemblesToTheSameImage_AsWithEmptyDataAndCode()
        => Assert.Equal(AssembleOk(".data\n.code\n" + CountingLoop), AssembleOk(CountingLoop));

    [Theory]
    [InlineData("")]
    [InlineData(".code\nhlt\n")]
    [InlineData(".data\nmsg: .asciiz 'hi'\n")]
    [InlineData("start:\n.data\n.code\ndjmpe @start\n")]
    [InlineData("hlt\n.data\nmsg: .asciiz 'hi'\n.code\nprts @msg\n")]
    public void EitherHeader_OrBoth_MayBeLeftOut(string source) => AssembleOk(source);

    [Fact]
    public void CodeBeforeAndAfterTheData_LaysOutInSourceOrder()
    {
        var image = AssembleOk("load $0 #1\n.data\nmsg: .asciiz 'hi'\n.code\nhlt\n");
        Assert.Equal(Hex("00 00 00 01 05 00 00 00"), CodeOf(image));
    }

    [Fact]
    public void InstructionsInData_AreOneError_ForTheMissingCodeHeader()
    {
        var result = Assembler.Assemble(".data\nmsg: .asciiz 'hi'\nprts @msg\nload $0 #1\nhlt\n", "t.iasm");
        var error = Assert.Single(result.Errors);
        Assert.Equal((AssemblyErrorKind.WrongSection, 3, 1), (error.Kind, error.Line, error.Column));
        Assert.Contains("put .code before this line (2 more lines like it up to line 5)", error.Message);
    }

    [Fact]
    public void DataBeforeAnyHeader_IsOneError_SayingAFileStartsInCode()
    {
        var result = Assembler.Assemble("a: .asciiz 'x'\nb: .asciiz 'y'\nprts @a\nprts @b\nhlt\n", "t.iasm");
        var error = Assert.Single(result.Errors);
        Assert.Equal((AssemblyErrorKind.WrongSection, 1, 4), (error.Kind, error.Line, error.Column));
        Assert.Contains("a file starts in .code; put .data before this line (1 more line like it up to line 2)", error.Message);
    }

    [Fact]
    public void EachStretchOfMisplacedLines_IsItsOwnError()
    {
        var result = Assembler.Assemble(".data\nhlt\nhlt\n.code\nx: .integer #1\n", "t.iasm");
        Assert.Equal([(AssemblyErrorKind.WrongSection, 2), (AssemblyErrorKind.WrongSection, 5)],
            result.Errors.Select(e => (e.Kind, e.Line)));
    }

    [Fact]
    public void AnUndefinedLabel_IsOneError_AtItsFirstUse_NamingTheOthers()
    {
        var result = Assembler.Assemble("lop: inc $0\ndjmpe @loop\ndjmpe @loop\nload $1 @loop\nhlt\n", "t.iasm");
        var error = Assert.Single(result.Errors);
        Assert.Equal((AssemblyErrorKind.UndefinedSymbol, 2, 7), (error.Kind, error.Line, error.Column));
        Assert.Equal("label 'loop' is not defined (also used on lines 3, 4)", error.Message);
        Assert.Null(result.Image);
    }

    [Fact]
    public void ManyUsesOfOneUndefinedLabel_NameFiveLines_AndCountTheRest()
    {
        var source = string.Concat(Enumerable.Repeat("djmpe @nowhere\n", 9));
        var error = Assert.Single(Assembler.Assemble(source).Errors);
        Assert.EndsWith("(also used on lines 2, 3, 4, 5, 6 and 3 more)", error.Message);
    }

    [Fact]
    public void DistinctUndefinedLabels_AreDistinctErrors_InLineOrder()
    {
        var result = Assembler.Assemble("djmpe @b\ndjmpe @a\ndjmpe @b\n");
        Assert.Equal([(1, "label 'b' is not defined (also used on line 3)"), (2, "label 'a' is not defined")],
            result.Errors.Select(e => (e.Line, e.Message)));
    }
}
