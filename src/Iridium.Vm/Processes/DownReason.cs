namespace Iridium.Vm;

/// <summary>Why a monitored process ended: the reason a down notice carries (RECV gives R[b] = −1 − reason).</summary>
public enum DownReason : byte
{
    /// <summary>HLT.</summary>
    Halted = 0,
    /// <summary>IGL, an undefined opcode, or running off the end.</summary>
    Stopped = 1,
    /// <summary>A fault.</summary>
    Crashed = 2,
    /// <summary>`kill`, Ctrl-C, or its session or group ended.</summary>
    Killed = 3,
    /// <summary>Its node was lost (it may still be running); the cluster part reports it.</summary>
    NodeLost = 4,
    /// <summary>The process had already ended, or never existed, when MONITOR asked.</summary>
    NoSuchProcess = 5,
}
