using Iridium.Repl.Console;

namespace Iridium.Repl.Tests;

/// <summary>The console line editor driven by scripted keys (the tmux test covers the real terminal).</summary>
public class LineEditorTests
{
    private sealed class ScriptedKeys(IEnumerable<ConsoleKeyInfo> keys, int width = 80) : IKeySource
    {
        private readonly Queue<ConsoleKeyInfo> _keys = new(keys);
        public ConsoleKeyInfo? ReadKey() => _keys.Count > 0 ? _keys.Dequeue() : null;
        public int Width => width;
    }

    private static ConsoleKeyInfo Char(char c) => new(c, ConsoleKey.NoName, false, false, false);
    private static ConsoleKeyInfo Key(ConsoleKey key) => new('\0', key, false, false, false);
    private static ConsoleKeyInfo Control(char letter) => new((char)(letter - 'a' + 1), ConsoleKey.A + (letter - 'a'), false, false, true);
    private static IEnumerable<ConsoleKeyInfo> Type(string text) => text.Select(Char);
    private static readonly ConsoleKeyInfo Enter = new('\r', ConsoleKey.Enter, false, false, false);

    private static LineEditResult Edit(IEnumerable<ConsoleKeyInfo> keys, LineHistory? history = null, int width = 80)
    {
        var editor = new LineEditor(new ScriptedKeys(keys, width), new StringWriter());
        return editor.ReadLine(">>> ", history);
    }

    [Fact]
    public void TypingAndEnter_ReturnsTheLine()
    {
        Assert.Equal(new LineEditResult(LineEditStatus.Line, "inc $1"), Edit([.. Type("inc $1"), Enter]));
    }

    [Fact]
    public void CursorMovement_InsertsInTheMiddle()
    {
        var keys = Type("ic $1").Concat([Key(ConsoleKey.Home), Key(ConsoleKey.RightArrow)]).Concat(Type("n"))
            .Concat([Key(ConsoleKey.End)]).Concat(Type("0")).Concat([Key(ConsoleKey.LeftArrow), Key(ConsoleKey.Backspace), Enter]);
        Assert.Equal("inc $0", Edit(keys).Text);
    }

    [Fact]
    public void ControlKeys_EditLikeReadline()
    {
        var keys = Type("load $0 #1").Concat([Control('w'), Control('a'), Key(ConsoleKey.Delete), Control('e')]).Concat(Type("#2")).Concat([Enter]);
        Assert.Equal("oad $0 #2", Edit(keys).Text);
        Assert.Equal("", Edit(Type("junk").Concat([Control('u'), Enter])).Text);
        Assert.Equal("ju", Edit(Type("junk").Concat([Key(ConsoleKey.LeftArrow), Key(ConsoleKey.LeftArrow), Control('k'), Enter])).Text);
    }

    [Fact]
    public void CtrlC_CancelsTheLine_AndCtrlD_EndsInputOnlyOnAnEmptyLine()
    {
        Assert.Equal(LineEditStatus.Cancelled, Edit(Type("half").Concat([Control('c')])).Status);
        Assert.Equal(LineEditStatus.EndOfInput, Edit([Control('d')]).Status);
        Assert.Equal("ab", Edit(Type("abc").Concat([Key(ConsoleKey.LeftArrow), Control('d'), Enter])).Text);
        Assert.Equal(LineEditStatus.EndOfInput, Edit(Type("no enter")).Status);
    }

    [Fact]
    public void UpAndDown_WalkTheHistory_AndKeepTheDraft()
    {
        var history = new LineHistory();
        history.Add("first");
        history.Add("second");
        Assert.Equal("first", Edit([Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Enter], history).Text);
        Assert.Equal("draft", Edit(Type("draft").Concat([Key(ConsoleKey.UpArrow), Key(ConsoleKey.DownArrow), Enter]), history).Text);
        Assert.Equal("second!", Edit([Key(ConsoleKey.UpArrow), Char('!'), Enter], history).Text);
    }

    [Fact]
    public void LongLines_ScrollInsteadOfWrapping()
    {
        var screen = new StringWriter();
        var editor = new LineEditor(new ScriptedKeys(Type(new string('x', 50)).Append(Enter), width: 20), screen);
        Assert.Equal(50, editor.ReadLine(">>> ").Text.Length);
        var frames = screen.ToString().Split('\r');
        Assert.All(frames, f => Assert.True(f.Replace("\u001b[K", "").Split('\u001b')[0].Length < 20, f));
    }

    [Fact]
    public void History_PersistsInItsFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"iridium-history-{Guid.NewGuid():N}");
        try
        {
            var history = new LineHistory(path);
            history.Add("load $0 #1");
            history.Add("load $0 #1");   // repeats are kept once
            history.Add("   ");
            history.Add("!registers");
            Assert.Equal(["load $0 #1", "!registers"], new LineHistory(path).Entries);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
