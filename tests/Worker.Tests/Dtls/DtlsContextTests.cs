using Mediasoup.Dtls;
using Mediasoup.Logging;
using Mediasoup.Srtp;
using Xunit;

namespace Mediasoup.Tests.Dtls;

public sealed class DtlsContextTests
{
    [Fact]
    public void Options_Invalid_Throw()
    {
        using var cert = DtlsCertificate.Generate();
        var logger = new Logger();
        Assert.ThrowsAny<ArgumentException>(() => new DtlsContext(cert, logger, new DtlsOptions { SrtpProfiles = [] }));
        Assert.ThrowsAny<ArgumentException>(() => new DtlsContext(cert, logger, new DtlsOptions { SrtpProfiles = [(SrtpCryptoSuite)9] }));
        Assert.ThrowsAny<ArgumentException>(() => new DtlsContext(cert, logger, new DtlsOptions { Mtu = 100 }));
        Assert.ThrowsAny<ArgumentException>(() => new DtlsContext(cert, logger, new DtlsOptions { InitialRetransmitMs = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => new DtlsContext(cert, logger, new DtlsOptions { InitialRetransmitMs = 500, RetransmitCapMs = 100 }));
    }

    [Fact]
    public void SrtpProfileList_IsTheReferencesOrder()
    {
        Assert.Equal("SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32",
            DtlsSrtpProfiles.ToOpenSslList(DtlsOptions.Default.SrtpProfiles));
    }

    [Fact]
    public void Context_DisposedBeforeTransport_TransportKeepsWorking()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        client.Context.Dispose();
        server.Context.Dispose();
        new DtlsWire(client, server).Connect(client, server);
        Assert.Equal(DtlsState.Connected, client.Transport.State);
        Assert.Equal(DtlsState.Connected, server.Transport.State);
    }
}
