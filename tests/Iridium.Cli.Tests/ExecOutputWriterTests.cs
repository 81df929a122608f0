using System.Text;
using Iridium.Cli.Programs;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Tests;

/// <summary>`exec --on all`: lines of different nodes are written whole, each prefixed by its node, however the chunks are cut.</summary>
public class ExecOutputWriterTests
{
    [Fact]
    public void LinesFromSeveralNodesNeverInterleaveMidLine()
    {
        using var stdout = new MemoryStream();
        var writer = new ExecOutputWriter(stdout, prefixed: true, targets: 2);
        writer.Write(0, "a", "one fr"u8);
        writer.Write(1, "b", "B1\nB2 par"u8);
        writer.Write(0, "a", "om a\ntwo"u8);
        writer.Write(1, "b", "t\n"u8);
        writer.Finish([Result("a"), Result("b")]);

        Assert.Equal("[b] B1\n[a] one from a\n[b] B2 part\n[a] two\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public void FromOneNodeTheBytesPassThroughUntouched()
    {
        using var stdout = new MemoryStream();
        var writer = new ExecOutputWriter(stdout, prefixed: false, targets: 1);
        writer.Write(0, "a", "no newline"u8);
        writer.Write(0, "a", ", then one\n"u8);
        writer.Finish([Result("a")]);
        Assert.Equal("no newline, then one\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public void ALineWithoutNewlinesIsWrittenInPiecesInsteadOfGrowingWithoutBound()
    {
        using var stdout = new MemoryStream();
        var writer = new ExecOutputWriter(stdout, prefixed: true, targets: 2);
        var chunk = new byte[ExecOutputWriter.MaxLineBytes / 4 + 1];
        Array.Fill(chunk, (byte)'x');
        for (int i = 0; i < 9; i++) writer.Write(0, "a", chunk); // a little over two pieces' worth
        long heldBack = 9L * chunk.Length - (stdout.Length - 2 * "[a] \n".Length);
        writer.Write(1, "b", "whole\n"u8);
        writer.Finish([Result("a"), Result("b")]);

        string[] lines = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["[a] " + new string('x', ExecOutputWriter.MaxLineBytes), "[a] " + new string('x', ExecOutputWriter.MaxLineBytes),
            "[b] whole", "[a] " + new string('x', 9 * chunk.Length - 2 * ExecOutputWriter.MaxLineBytes)], lines);
        Assert.InRange(heldBack, 0, ExecOutputWriter.MaxLineBytes);
    }

    private static ExecResult Result(string alias) => new(alias, alias, alias + ".1", ExecEnd.Stopped, 0, null, null, 0);
}
