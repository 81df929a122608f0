namespace Iridium.Cluster.Client;

/// <summary>Rows of cells in aligned columns, two spaces apart; the last column is not padded (it may hold spaces).</summary>
public static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string[]> rows)
    {
        int columns = rows.Max(row => row.Length);
        var widths = new int[columns];
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        foreach (var row in rows)
        {
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < row.Length - 1; i++) line.Append(row[i].PadRight(widths[i] + 2));
            line.Append(row[^1]);
            output.WriteLine(line.ToString());
        }
    }
}
