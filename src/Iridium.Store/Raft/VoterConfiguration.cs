using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using DotNext.Buffers;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace Iridium.Store.Raft;

/// <summary>
/// The voter set as DotNext keeps it: the names given by the node's settings (--store-voters), the
/// same on every voter. Each name is a little-endian int32 byte count and UTF-8.
/// </summary>
internal sealed class VoterConfiguration : InMemoryClusterConfigurationStorage<EndPoint>
{
    private const int MaxNameBytes = 255;

    public VoterConfiguration(IEnumerable<string> voters)
    {
        var builder = CreateInitialConfigurationBuilder();
        foreach (var voter in voters) builder.Add(new VoterAddress(voter));
        builder.Build();
    }

    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer)
    {
        var name = Encoding.UTF8.GetBytes(((VoterAddress)address).Name);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, name.Length);
        writer.Write(length);
        writer.Write(name);
    }

    protected override EndPoint Decode(ref SequenceReader reader)
    {
        var length = reader.ReadLittleEndian<int>();
        if (length is < 1 or > MaxNameBytes) throw new InvalidDataException($"store: a voter name of {length} bytes");
        var name = new byte[length];
        reader.Read(name);
        return new VoterAddress(Encoding.UTF8.GetString(name));
    }
}
