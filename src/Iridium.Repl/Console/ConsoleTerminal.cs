using Iridium.Repl.Engine;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Console;

/// <summary>
/// The local console as a REPL terminal. With a line editor (stdin and stdout are a terminal) the
/// questions are asked at a <c>...</c> prompt and asynchronous reports are printed above the line
/// being edited; without one (a script pipes lines in) there is no prompt noise: questions are
/// answered by the next input line and everything else is plain output.
/// </summary>
internal sealed class ConsoleTerminal(TextWriter output, TextReader input, LineEditor? editor) : IReplTerminal
{
    private readonly object _plainGate = new();

    public void WriteLine(string line) => Locked(() => output.Write(line + "\n"));

    public void Write(string text) => Locked(() => output.Write(text));

    public void Notify(IReadOnlyList<string> lines)
    {
        if (editor is not null) editor.WriteAbove(lines);
        else Locked(() =>
        {
            foreach (var line in lines) output.Write(line + "\n");
            output.Flush();
        });
    }

    public ValueTask<string?> AskAsync(string question, CancellationToken cancellation)
    {
        if (editor is null) return ValueTask.FromResult(input.ReadLine());
        WriteLine(question);
        var answer = editor.ReadLine(ReplText.AnswerPrompt);
        return ValueTask.FromResult(answer.Status == LineEditStatus.Line ? answer.Text : null);
    }

    private void Locked(Action write)
    {
        if (editor is not null) editor.Locked(write);
        else lock (_plainGate) write();
    }
}
