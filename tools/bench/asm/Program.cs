// Assembly-time benchmark: assembles generated programs of growing size and prints the median
// time of several runs, so linear growth (and the 100,000-line figure) can be read off directly.
//
//   dotnet run -c Release --project tools/bench/asm [maxLines]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Iridium.Assembler;

int maxLines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400_000;
const int Runs = 7;

Console.WriteLine($"{"lines",10} {"bytes",10} {"median ms",10} {"ns/line",8}  disassemble+reassemble ms");
for (int lines = 25_000; lines <= maxLines; lines *= 2)
{
    string source = Generate(lines);
    var result = Assembler.Assemble(source);   // warm-up, and a correctness check
    if (!result.Success) throw new InvalidOperationException(result.RenderErrors());

    var times = new double[Runs];
    for (int run = 0; run < Runs; run++)
    {
        var watch = Stopwatch.StartNew();
        Assembler.Assemble(source);
        times[run] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    double median = times[Runs / 2];

    var roundTrip = Stopwatch.StartNew();
    var again = Assembler.Assemble(Disassembler.Disassemble(result.Image!));
    double roundTripMs = roundTrip.Elapsed.TotalMilliseconds;
    if (!again.Image!.AsSpan().SequenceEqual(result.Image)) throw new InvalidOperationException("round trip differs");

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{lines,10} {source.Length,10} {median,10:F1} {median * 1e6 / lines,8:F0}  {roundTripMs:F1}"));
}

// The same shape as HostileInputTests.BenchSource: labels, comments, a LOAD, arithmetic, a
// backward or forward branch and a PRTS of a data label: every line goes through both passes.
static string Generate(int lines)
{
    var sb = new StringBuilder(".data\nmsg: .asciiz 'hello'\n.code\n");
    for (int i = 0; i < lines / 4; i++)
    {
        sb.Append('l').Append(i).Append(": load $1 #").Append(i * 7).Append("   ; a comment\n");
        sb.Append("    add $1 $2 $3\n");
        sb.Append("    djmpe @l").Append(i % 1000).Append('\n');
        sb.Append("    prts @msg\n");
    }
    return sb.ToString();
}
