using Mediasoup.Crypto;
using Mediasoup.Ice;
using Mediasoup.Tests.Ice;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// STUN (RFC 5389 §6, §15) as ICE-lite receives it: the message parser, then the whole
/// IceServer path (username, MESSAGE-INTEGRITY, FINGERPRINT, priority, nomination, role
/// attributes) and the response it writes. The seeds carry valid integrity for this server's
/// credentials, so mutations reach past authentication. Each input meets a fresh server (no
/// state carried between inputs, so AFL sees the same path for the same bytes) and is delivered
/// twice, 10 ms apart, so the paths of a known tuple (re-nomination, consent refresh) are reached too.
/// </summary>
internal sealed class StunTarget : IFuzzTarget
{
    private const string Ufrag = "fuzzufrag";
    private const string Password = "fuzzpasswordfuzzpassword";

    private readonly HmacSha1 _hmac = new();
    private readonly RecordingListener _events = new();
    private readonly IceTuple _tuple = IceTestUtil.Udp("192.0.2.1", 5000);
    private readonly byte[] _response = new byte[IceServer.MaxResponseLength];


    public string Name => "stun";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (StunMessage.TryParse(input, out StunMessage m))
        {
            GC.KeepAlive(m.Type + m.TransactionId.Length + m.Username.Length + m.UsernameLocalPart.Length);
        }
        var ice = new IceServer(_events, _hmac, Ufrag, Password, consentTimeoutSec: 30);
        for (long nowMs = 1000; nowMs <= 1010; nowMs += 10)
        {
            ice.ProcessStunPacket(input, _tuple, nowMs, _response, out int length);
            if (length > _response.Length || length < 0)
                throw new FuzzInvariantException($"response length {length}");
            if (length > 0 && !StunMessage.TryParse(_response.AsSpan(0, length), out _))
                throw new FuzzInvariantException("our own response does not parse");
        }
        _events.Events.Clear();
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return IceTestUtil.Request(_hmac, $"{Ufrag}:remote", Password);
        yield return IceTestUtil.Request(_hmac, $"{Ufrag}:remote", Password, useCandidate: true);
        yield return IceTestUtil.Request(_hmac, $"{Ufrag}:remote", Password, nomination: 3);
        yield return IceTestUtil.Request(_hmac, $"{Ufrag}:remote", "wrong-password");
        yield return IceTestUtil.Request(_hmac, $"{Ufrag}:remote", Password, controlling: null, controlled: 7);
    }
}
