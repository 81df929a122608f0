namespace Iridium.Cli.Configuration;

/// <summary>
/// A value read from a config file, whatever its format: what the settings need (text, whole
/// numbers, booleans, lists of those) and, for anything else, the name the user knows it by.
/// </summary>
internal abstract record ConfigValue
{
    /// <summary>How the value is described in an error: its type and, when short, the value.</summary>
    public abstract string Describe();

    public sealed record Text(string Value) : ConfigValue
    {
        public override string Describe() => $"the string \"{Value}\"";
    }

    public sealed record Integer(long Value) : ConfigValue
    {
        public override string Describe() => $"the number {Value}";
    }

    public sealed record Boolean(bool Value) : ConfigValue
    {
        public override string Describe() => Value ? "true" : "false";
    }

    public sealed record List(IReadOnlyList<ConfigValue> Items) : ConfigValue
    {
        public override string Describe() => "a list";
    }

    /// <summary>A value of a kind no setting takes (a fractional number, a table, a date...).</summary>
    public sealed record Other(string TypeName) : ConfigValue
    {
        public override string Describe() => TypeName;
    }
}
