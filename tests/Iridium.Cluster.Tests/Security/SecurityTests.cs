using Iridium.Cluster.Security;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Security;

public class SecurityTests
{
    [Fact]
    public void Sha256KnownAnswer()
        => Assert.Equal("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", Convert.ToHexString(Sha256.Hash("abc"u8)));

    // RFC 4231 test cases 1, 2 and 6 (key longer than a block).
    [Theory]
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7")]
    [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374", "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54")]
    public void HmacRfc4231(string key, string data, string expected)
    {
        var mac = HmacSha256.Compute(Convert.FromHexString(key), Convert.FromHexString(data));
        Assert.Equal(expected, Convert.ToHexString(mac));
        Assert.True(HmacSha256.Verify(Convert.FromHexString(key), Convert.FromHexString(data), mac));
        mac[5] ^= 1;
        Assert.False(HmacSha256.Verify(Convert.FromHexString(key), Convert.FromHexString(data), mac));
    }

    [Fact]
    public void SecureRandomIsNotConstant()
        => Assert.NotEqual(Convert.ToHexString(SecureRandom.Bytes(16)), Convert.ToHexString(SecureRandom.Bytes(16)));

    [Fact]
    public void SecureRandomFillsLongBuffersWhole()
    {
        // getrandom(2) may return less than asked beyond 256 bytes: every byte must still be filled.
        var bytes = SecureRandom.Bytes(1 << 16);
        Assert.True(bytes.AsSpan(bytes.Length - 64).IndexOfAnyExcept((byte)0) >= 0, "the tail of the buffer is zero");
    }

    [Fact]
    public void SecureRandomGuidsAreVersion4AndDiffer()
    {
        var a = SecureRandom.NewGuid();
        var b = SecureRandom.NewGuid();
        Assert.NotEqual(a, b);
        Assert.Equal(4, a.Version);
        Assert.Contains(a.ToString()[19], "89ab");
    }
}
