namespace Iridium.Repl.Tests;

/// <summary>Records what the scheduler registers, and keeps each entry's kill.</summary>
internal sealed class RecordingRegistry : Iridium.Vm.IProcessRegistry
{
    public List<Entry> Entries { get; } = [];

    public Iridium.Vm.IRegisteredProcess Register(string program, string origin, Action kill)
    {
        var entry = new Entry($"n.{Entries.Count + 1}", program, origin, kill);
        lock (Entries) Entries.Add(entry);
        return entry;
    }

    public sealed class Entry(string id, string program, string origin, Action kill) : Iridium.Vm.IRegisteredProcess
    {
        public string Id { get; } = id;
        public string Program { get; } = program;
        public string Origin { get; } = origin;
        public Action Kill { get; } = kill;
        public volatile bool IsRunning;
        public volatile bool Removed;
        public void Running(Iridium.Vm.Machine machine) => IsRunning = true;
        public void Dispose() => Removed = true;
    }
}
