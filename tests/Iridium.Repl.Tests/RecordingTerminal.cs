using System.Text;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Tests;

/// <summary>A terminal for engine tests: records everything written and answers questions from a queue.</summary>
internal sealed class RecordingTerminal : IReplTerminal
{
    private readonly StringBuilder _text = new();
    private readonly object _gate = new();
    private readonly List<IReadOnlyList<string>> _notices = [];

    public Queue<string?> Answers { get; } = new();
    public List<string> Questions { get; } = [];

    /// <summary>Everything written so far, messages and program output, in order.</summary>
    public string Text
    {
        get { lock (_gate) return _text.ToString(); }
    }

    public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<IReadOnlyList<string>> Notices
    {
        get { lock (_gate) return _notices.ToArray(); }
    }

    public void Clear()
    {
        lock (_gate) _text.Clear();
    }

    public void WriteLine(string line)
    {
        lock (_gate) _text.Append(line).Append('\n');
    }

    public void Write(string text)
    {
        lock (_gate) _text.Append(text);
    }

    public void Notify(IReadOnlyList<string> lines)
    {
        lock (_gate) _notices.Add(lines);
    }

    public ValueTask<string?> AskAsync(string question, CancellationToken cancellation)
    {
        Questions.Add(question);
        return ValueTask.FromResult(Answers.Count > 0 ? Answers.Dequeue() : null);
    }

    /// <summary>Waits until <paramref name="count"/> notices have arrived (spawned VMs finish on other threads).</summary>
    public async Task WaitForNoticesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Notices.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} notices, got {Notices.Count}");
            await Task.Delay(10);
        }
    }
}
