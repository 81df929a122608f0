using System.Diagnostics;
using System.Text;
using Iridium.Vm;

namespace Iridium.Assembler.Tests;

/// <summary>Garbage never crashes or hangs the assembler or the disassembler; it only produces errors.</summary>
public class HostileInputTests
{
    private static readonly string[] s_tokens =
    [
        ".data", ".code", ".asciiz", ".integer", ".bytes", ".header", ".bogus", ".", "load", "LOAD", "hlt", "prts", "loadf64",
        "shl", "cloop", "call", "jmpe", "frob", "x:", "y:", "_:", "1:", "@x", "@y", "@", "$0", "$31", "$32", "$", "$999999999999",
        "#0", "#-1", "#65535", "#65536", "#2147483648", "#-", "#1.5", "#2.0", "#1.", "#99999999999999999999999", "'hi'", "'",
        "''", ";", "; comment", "\t", " ", "\n", "\r\n", "\r", ",", ":", "\0", "\u00e9", "\uFEFF", "\uD800", "x", "y",
    ];

    [Fact]
    public void RandomTokenSoup_OnlyProducesErrors()
    {
        var random = new Random(31337);
        for (int round = 0; round < 2000; round++)
        {
            var sb = new StringBuilder();
            int count = random.Next(0, 60);
            for (int i = 0; i < count; i++)
            {
                sb.Append(s_tokens[random.Next(s_tokens.Length)]);
                if (random.Next(3) > 0) sb.Append(random.Next(4) == 0 ? '\n' : ' ');
            }
            AssembleAndCheck(sb.ToString());
            foreach (var line in sb.ToString().Split('\n')) LineAssembler.Assemble(line, SymbolTable.Empty);
        }
    }

    [Fact]
    public void RandomCharacters_OnlyProduceErrors()
    {
        var random = new Random(4242);
        for (int round = 0; round < 500; round++)
        {
            var chars = new char[random.Next(0, 400)];
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)random.Next(0, random.Next(2) == 0 ? 128 : 0x10000);
            AssembleAndCheck(new string(chars));
        }
    }

    [Fact]
    public void RandomBytes_NeverCrashTheDisassembler()
    {
        var random = new Random(777);
        for (int round = 0; round < 2000; round++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (random.Next(2) == 0 && bytes.Length >= 4) ProgramImage.Magic.CopyTo(bytes);
            if (random.Next(2) == 0 && bytes.Length >= 68) bytes[64..68].AsSpan().Clear();
            try
            {
                var listing = Disassembler.Disassemble(bytes);
                var again = Assembler.Assemble(listing);
                Assert.True(again.Success, again.RenderErrors());
                Assert.Equal(bytes, again.Image);
            }
            catch (InvalidImageException)
            {
                Assert.False(ProgramImage.TryRead(bytes, out _, out _));
            }
        }
    }

    [Fact]
    public void DeepLabelChains_AndManyLabels()
    {
        var sb = new StringBuilder(".data\n.code\n");
        for (int i = 0; i < 50_000; i++) sb.Append("l").Append(i).Append(":\n");
        sb.Append("hlt\n");
        for (int i = 0; i < 50_000; i += 1000) sb.Append("call @l").Append(i).Append('\n');
        var result = Assembler.Assemble(sb.ToString());
        Assert.True(result.Success, result.RenderErrors());
        Assert.Equal(50_000, result.Symbols.Count);
        Assert.All(result.Symbols.All, s => Assert.Equal(68, s.Value));
    }

    [Fact]
    public void HugeLinesAndHugeNumbers_AreFast()
    {
        var watch = Stopwatch.StartNew();
        string digits = new('9', 1_000_000);
        AssembleAndCheck($".data\nn: .integer #{digits}\n.code\nload $0 #{digits}\nloadf64 $0 #{digits}.5\ninc ${digits}\n", expectErrors: 4);
        AssembleAndCheck(".data\n.code\n" + new string('a', 2_000_000) + "\n");
        AssembleAndCheck(".data\ns: .asciiz '" + new string('x', 2_000_000) + "\n.code\n");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void MillionsOfErrorLines_StopAtTheCap()
    {
        var watch = Stopwatch.StartNew();
        var result = Assembler.Assemble(string.Concat(Enumerable.Repeat("\u0001\u0002garbage\n", 1_000_000)));
        Assert.True(result.ErrorLimitReached);
        Assert.Equal(AssemblyResult.ErrorLimit, result.Errors.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void HundredThousandLines_AssembleWellUnderASecond()
    {
        var source = BenchSource(100_000);
        Assembler.Assemble(source);   // warm up the JIT
        var watch = Stopwatch.StartNew();
        var result = Assembler.Assemble(source);
        watch.Stop();
        Assert.True(result.Success, result.RenderErrors());
        // The bar is "well under a second"; allow slack for a busy, shared test machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    /// <summary>A realistic program of about <paramref name="lines"/> lines (same generator as tools/bench/asm).</summary>
    internal static string BenchSource(int lines)
    {
        var sb = new StringBuilder(".data\nmsg: .asciiz 'hello'\n.code\n");
        for (int i = 0; sb.Length >= 0 && i < lines / 4; i++)
        {
            sb.Append("l").Append(i).Append(": load $1 #").Append(i * 7).Append("   ; a comment\n");
            sb.Append("    add $1 $2 $3\n");
            sb.Append("    djmpe @l").Append(i % 1000).Append('\n');
            sb.Append("    prts @msg\n");
        }
        return sb.ToString();
    }

    private static void AssembleAndCheck(string source, int? expectErrors = null)
    {
        var result = Assembler.Assemble(source, "fuzz.iasm");
        Assert.Equal(result.Success, result.Errors.Count == 0);
        Assert.Equal(result.Success, result.Image is not null);
        if (expectErrors is { } n) Assert.Equal(n, result.Errors.Count);
        foreach (var error in result.Errors)
        {
            Assert.True(error.Line >= 1 && error.Column >= 1, error.Render());
            Assert.True(error.SourceLine.Length <= 160);
            _ = error.Render();
        }
        if (result.Success) Assert.Equal(result.Image, Assembler.Assemble(Disassembler.Disassemble(result.Image)).Image);
    }
}
