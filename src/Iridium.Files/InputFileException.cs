namespace Iridium.Files;

/// <summary>
/// An input could not be read within its bounds. <see cref="Exception.Message"/> is the reason
/// only ("no such file", "larger than 1048576 bytes"); the caller says which file and what
/// that means for its command (an exit status, a REPL message).
/// </summary>
public sealed class InputFileException(string reason) : IOException(reason);
