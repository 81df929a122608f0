namespace Iridium.Repl.Console;

/// <summary>Where the line editor gets keys: the real console, or a script of keys in tests.</summary>
public interface IKeySource
{
    /// <summary>The next key, without echo; null at the end of a scripted input.</summary>
    ConsoleKeyInfo? ReadKey();

    /// <summary>Columns of the terminal.</summary>
    int Width { get; }
}

/// <summary>
/// The real console. .NET puts the terminal in non-canonical, no-echo mode for the duration of each
/// ReadKey and decodes the escape sequences of arrows and Home/End from terminfo. Ctrl-C is
/// delivered as a key only while a line is being read (<see cref="Console.TreatControlCAsInput"/>
/// is switched on around the read), so Ctrl-C during a long-running program still interrupts it.
/// </summary>
internal sealed class ConsoleKeySource : IKeySource
{
    public ConsoleKeyInfo? ReadKey()
    {
        bool previous = System.Console.TreatControlCAsInput;
        System.Console.TreatControlCAsInput = true;
        try
        {
            return System.Console.ReadKey(intercept: true);
        }
        catch (InvalidOperationException)
        {
            return null;   // the console went away
        }
        finally
        {
            System.Console.TreatControlCAsInput = previous;
        }
    }

    public int Width
    {
        get
        {
            try
            {
                int width = System.Console.WindowWidth;
                return width > 0 ? width : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }
}
