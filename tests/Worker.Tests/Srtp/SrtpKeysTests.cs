using Mediasoup.Srtp;
using Xunit;

namespace Mediasoup.Tests.Srtp;

public sealed class SrtpKeysTests
{
    [Fact]
    public void Suites_HaveTheFbsNumberingNamesAndLengths()
    {
        var expected = new (SrtpCryptoSuite Suite, FBS.SrtpParameters.SrtpCryptoSuite Fbs, string Name, int Key, int Salt, int Base64)[]
        {
            (SrtpCryptoSuite.AeadAes256Gcm, FBS.SrtpParameters.SrtpCryptoSuite.AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32, 12, 60),
            (SrtpCryptoSuite.AeadAes128Gcm, FBS.SrtpParameters.SrtpCryptoSuite.AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, 12, 40),
            (SrtpCryptoSuite.AesCm128HmacSha1_80, FBS.SrtpParameters.SrtpCryptoSuite.AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14, 40),
            (SrtpCryptoSuite.AesCm128HmacSha1_32, FBS.SrtpParameters.SrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14, 40),
        };
        Assert.Equal(expected.Select(e => e.Suite), SrtpCryptoSuites.All.ToArray());
        Assert.Equal(Enum.GetValues<FBS.SrtpParameters.SrtpCryptoSuite>().Length, expected.Length);
        foreach (var e in expected)
        {
            Assert.Equal((byte)e.Fbs, (byte)e.Suite);
            Assert.Equal(e.Name, e.Fbs.ToString());
            Assert.Equal(e.Name, e.Suite.ToName());
            Assert.True(SrtpCryptoSuites.TryParse(e.Name, out SrtpCryptoSuite parsed));
            Assert.Equal(e.Suite, parsed);
            Assert.Equal(e.Key, e.Suite.KeyLength());
            Assert.Equal(e.Salt, e.Suite.SaltLength());
            Assert.Equal(e.Key + e.Salt, e.Suite.KeyAndSaltLength());
            Assert.Equal(e.Base64, SrtpKeys.ToBase64(SrtpKeys.Generate(e.Suite)).Length);
        }
        Assert.False(SrtpCryptoSuites.TryParse("aead_aes_256_gcm", out _));
        Assert.False(SrtpCryptoSuites.TryParse("", out _));
        Assert.False(SrtpCryptoSuites.TryParse("AES_CM_128_HMAC_SHA1_80 ", out _));
        Assert.False(((SrtpCryptoSuite)4).IsValid());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((SrtpCryptoSuite)4).ToName());
    }

    [Fact]
    public void Generate_GivesFreshRandomKeysOfTheSuiteLength()
    {
        var seen = new HashSet<string>();
        foreach (SrtpCryptoSuite suite in SrtpCryptoSuites.All)
        {
            for (int i = 0; i < 50; i++)
            {
                byte[] key = SrtpKeys.Generate(suite);
                Assert.Equal(suite.KeyAndSaltLength(), key.Length);
                Assert.True(seen.Add(Convert.ToHexString(key)));
            }
        }
        // Full-entropy bytes (not the reference's [0-9a-z]): over 10 000 bytes every value shows up.
        var histogram = new int[256];
        for (int i = 0; i < 250; i++)
            foreach (byte b in SrtpKeys.Generate(SrtpCryptoSuite.AeadAes256Gcm))
                histogram[b]++;
        Assert.DoesNotContain(0, histogram);
    }

    [Fact]
    public void Base64_RoundTripsAsPaddedStandardBase64()
    {
        foreach (SrtpCryptoSuite suite in SrtpCryptoSuites.All)
        {
            byte[] key = SrtpKeys.Generate(suite);
            string text = SrtpKeys.ToBase64(key);
            Assert.Equal(Convert.ToBase64String(key), text);
            Assert.True(SrtpKeys.TryDecodeKey(suite, text, out byte[] decoded, out string? error));
            Assert.Null(error);
            Assert.Equal(key, decoded);
        }
        // The key mediasoup's test-PipeTransport.js connects with (AEAD_AES_256_GCM, 44 bytes).
        Assert.True(SrtpKeys.TryDecodeKey(
            SrtpCryptoSuite.AeadAes256Gcm, "YTdjcDBvY2JoMGY5YXNlNDc0eDJsdGgwaWRvNnJsamRrdG16aWVpZHphdHo=", out byte[] hostKey, out _));
        Assert.Equal("a7cp0ocbh0f9ase474x2lth0ido6rljdktmzieidzatz"u8.ToArray(), hostKey);
    }

    [Theory]
    // Reference leniency: non-alphabet characters are skipped...
    [InlineData("QUJD\nREVG", "ABCDEF")]
    [InlineData("Q U J D", "ABC")]
    [InlineData("QU*JD!", "ABC")]
    // ...decoding stops after the first padded quad...
    [InlineData("QQ==QUJD", "A")]
    [InlineData("QUI=trailing", "AB")]
    // ...and missing padding is only an error when the symbol count is not a multiple of 4.
    [InlineData("QUJDREVG", "ABCDEF")]
    public void DecodeBase64_AcceptsWhatTheReferenceAccepts(string text, string expected)
    {
        Assert.True(SrtpKeys.TryDecodeBase64(text, out byte[] bytes, out string? error));
        Assert.Null(error);
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(expected), bytes);
    }

    [Theory]
    [InlineData("", "invalid data")]
    [InlineData("   ", "invalid data")]
    [InlineData("QUJ", "invalid data")]
    [InlineData("QUJDR", "invalid data")]
    [InlineData("Q===", "integer padding")]
    [InlineData("====", "integer padding")]
    public void DecodeBase64_RefusesWhatTheReferenceRefuses(string text, string expectedError)
    {
        Assert.False(SrtpKeys.TryDecodeBase64(text, out byte[] bytes, out string? error));
        Assert.Equal(expectedError, error);
        Assert.Empty(bytes);
    }

    [Fact]
    public void DecodeKey_ChecksTheLengthForTheSuite()
    {
        string key30 = SrtpKeys.ToBase64(new byte[30]);
        string key44 = SrtpKeys.ToBase64(new byte[44]);

        Assert.True(SrtpKeys.TryDecodeKey(SrtpCryptoSuite.AesCm128HmacSha1_32, key30, out _, out _));
        Assert.False(SrtpKeys.TryDecodeKey(SrtpCryptoSuite.AeadAes128Gcm, key30, out byte[] none, out string? error));
        Assert.Empty(none);
        Assert.Equal("invalid decoded SRTP key length", error);
        Assert.True(SrtpKeys.TryDecodeKey(SrtpCryptoSuite.AeadAes256Gcm, key44, out _, out _));
        Assert.False(SrtpKeys.TryDecodeKey(SrtpCryptoSuite.AesCm128HmacSha1_80, key44, out _, out error));
        Assert.Equal("invalid decoded SRTP key length", error);
        Assert.False(SrtpKeys.TryDecodeKey(SrtpCryptoSuite.AesCm128HmacSha1_80, "not base64", out _, out error));
        Assert.Equal("invalid data", error);
        Assert.False(SrtpKeys.TryDecodeBase64(new string('A', 65536), out _, out error));
        Assert.Equal("data too big", error);
    }
}
