namespace Iridium.Cli.CommandLine;

/// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ("rnu" is 1 from "run").</summary>
internal static class EditDistance
{
    public static int Between(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The candidate a typo most likely meant: one edit away, or two for words of five letters or
    /// more (<paramref name="prefix"/>, such as "--", is not counted); null when none is that close.
    /// </summary>
    public static string? Nearest(string word, IEnumerable<string> candidates, string prefix = "")
    {
        string bare = word[prefix.Length..].ToLowerInvariant();
        int allowed = bare.Length >= 5 ? 2 : 1;
        return candidates
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(name => (Name: name, Distance: Between(bare, name[prefix.Length..])))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }
}
