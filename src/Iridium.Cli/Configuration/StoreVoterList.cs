using Iridium.Cluster;

namespace Iridium.Cli.Configuration;

/// <summary>The value of --store-voters: node aliases separated by commas, each valid and none twice.</summary>
internal static class StoreVoterList
{
    public const string Expected = "node aliases separated by commas, none twice (a b,c is \"b,c\" after one alias)";

    public static IReadOnlyList<string> Parse(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static bool IsValid(string text)
    {
        var voters = Parse(text);
        return voters.Count > 0 && voters.All(AliasRules.IsValid) && voters.Distinct(StringComparer.Ordinal).Count() == voters.Count;
    }
}
