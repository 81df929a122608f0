namespace Iridium.Wire;

/// <summary>Strings (spec 3), in the options' encoding; both forms are read.</summary>
public sealed class StringFormatter : WireFormatter<string>
{
    public override void Serialize(ref WireWriter writer, string? value) => writer.WriteString(value);

    public override string? Deserialize(ref WireReader reader) => reader.ReadString();
}

/// <summary>byte[]: int32 count then the bytes (spec 6).</summary>
public sealed class ByteArrayFormatter : WireFormatter<byte[]>
{
    public override void Serialize(ref WireWriter writer, byte[]? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.WriteCollectionHeader(value.Length);
        writer.WriteRaw(value);
    }

    public override byte[]? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length)) return null;
        return length == 0 ? Array.Empty<byte>() : reader.ReadRaw(length).ToArray();
    }
}

/// <summary>Version: object header 4, then Major, Minor, Build, Revision as int32 (spec 11).</summary>
public sealed class VersionFormatter : WireFormatter<Version>
{
    public override void Serialize(ref WireWriter writer, Version? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }
        writer.WriteObjectHeader(4);
        writer.WriteUnmanaged(value.Major);
        writer.WriteUnmanaged(value.Minor);
        writer.WriteUnmanaged(value.Build);
        writer.WriteUnmanaged(value.Revision);
    }

    public override Version? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadObjectHeader(out byte count)) return null;
        if (count != 4) throw new WireFormatException($"Version needs 4 members, header says {count}.");
        int major = reader.ReadUnmanaged<int>(), minor = reader.ReadUnmanaged<int>();
        int build = reader.ReadUnmanaged<int>(), revision = reader.ReadUnmanaged<int>();
        if (major < 0 || minor < 0) throw new WireFormatException("Version components must not be negative.");
        if (build < 0) return new Version(major, minor);
        if (revision < 0) return new Version(major, minor, build);
        return new Version(major, minor, build, revision);
    }
}

/// <summary>Uri: its original string (spec 11).</summary>
public sealed class UriFormatter : WireFormatter<Uri>
{
    public override void Serialize(ref WireWriter writer, Uri? value) => writer.WriteString(value?.OriginalString);

    public override Uri? Deserialize(ref WireReader reader)
    {
        string? text = reader.ReadString();
        if (text is null) return null;
        return Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var uri) ? uri : throw new WireFormatException("Invalid Uri.");
    }
}
