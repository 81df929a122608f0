namespace Iridium.Repl.Engine;

/// <summary>The fixed texts users and scripts see (the greeting and farewell are the original Iridium's).</summary>
public static class ReplText
{
    /// <summary>
    /// The original's greeting, the banner's first line, unchanged: clients (older ones too) tell a
    /// session from a refusal by it.
    /// </summary>
    public const string Greeting = "Welcome to Iridium! Let's be productive!";

    /// <summary>The banner's second line, after the version: how to get help and how to leave.</summary>
    public const string Hint = "!help lists commands and instructions; !quit or Ctrl-D quits";

    public const string Prompt = ">>> ";
    /// <summary>The prompt for the answer to a question (a missing path); distinct so clients can tell them apart.</summary>
    public const string AnswerPrompt = "... ";
    public const string Farewell = "Farewell! Have a great day!";

    /// <summary>The banner: the greeting, then the version (<c>iridium 0.2.0: </c>, when known) and the hint.</summary>
    public static IReadOnlyList<string> Banner(string? version)
        => [Greeting, version is null ? Hint : $"iridium {version}: {Hint}"];

    /// <summary>True for the first line of a banner, whatever the version.</summary>
    public static bool IsBanner(string line) => line.StartsWith(Greeting, StringComparison.Ordinal);
}

/// <summary>Whether the session goes on after a line.</summary>
public enum ReplOutcome
{
    Continue,
    Quit,
}
