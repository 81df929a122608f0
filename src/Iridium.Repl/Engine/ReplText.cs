namespace Iridium.Repl.Engine;

/// <summary>The fixed texts users and scripts see (runtime.md §3: the banner and farewell are the original's).</summary>
public static class ReplText
{
    public const string Banner = "Welcome to Iridium! Let's be productive!";
    public const string Prompt = ">>> ";
    /// <summary>The prompt for the answer to a question (a missing path); distinct so clients can tell them apart.</summary>
    public const string AnswerPrompt = "... ";
    public const string Farewell = "Farewell! Have a great day!";
}

/// <summary>Whether the session goes on after a line.</summary>
public enum ReplOutcome
{
    Continue,
    Quit,
}
