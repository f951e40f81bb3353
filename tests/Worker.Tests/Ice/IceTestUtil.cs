using System.Text;
using Xunit;
using Mediasoup.Crypto;
using Mediasoup.Ice;
using Mediasoup.Net;

namespace Mediasoup.Tests.Ice;

/// <summary>STUN messages built for tests, and a listener that records every callback.</summary>
internal static class IceTestUtil
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", "").Replace("\r", ""));

    public static readonly byte[] DefaultTid = Hex("0102030405060708090a0b0c");

    public static IceTuple Udp(string ip, ushort port, int localId = 1)
    {
        Assert.True(IpEndpoint.TryParse(ip, port, out IpEndpoint ep));
        return new IceTuple(ep, localId, ListenProtocol.Udp);
    }

    public static IceTuple Tcp(string ip, ushort port, int connectionId)
    {
        Assert.True(IpEndpoint.TryParse(ip, port, out IpEndpoint ep));
        return new IceTuple(ep, connectionId, ListenProtocol.Tcp);
    }

    /// <summary>A connectivity check as a controlling browser sends it (RFC 8445 §7.2.2),
    /// with switches to leave things out or add the unusual.</summary>
    public static byte[] Request(
        HmacSha1 hmac,
        string? username,
        string? password,
        uint? priority = 0x6E0001FF,
        bool useCandidate = false,
        uint? nomination = null,
        uint? legacyNomination = null,
        ulong? controlling = 0x1122334455667788,
        ulong? controlled = null,
        bool fingerprint = true,
        ushort method = StunMethod.Binding,
        StunClass cls = StunClass.Request,
        byte[]? tid = null)
    {
        var buf = new byte[1024];
        var w = new StunWriter(buf, cls, method, tid ?? DefaultTid);
        if (username != null)
            w.AddBytes(StunAttribute.Username, Encoding.UTF8.GetBytes(username));
        if (priority is uint p)
            w.AddUInt32(StunAttribute.Priority, p);
        if (controlling is ulong cg)
            w.AddUInt64(StunAttribute.IceControlling, cg);
        if (controlled is ulong cd)
            w.AddUInt64(StunAttribute.IceControlled, cd);
        if (useCandidate)
            w.AddFlag(StunAttribute.UseCandidate);
        if (nomination is uint n)
            w.AddUInt32(StunAttribute.Nomination, n);
        if (legacyNomination is uint ln)
            w.AddUInt32(StunAttribute.NominationLegacy, ln);
        if (password != null)
            w.AddMessageIntegrity(Encoding.UTF8.GetBytes(password), hmac);
        if (fingerprint)
            w.AddFingerprint();
        int len = w.Finish();
        Assert.True(len > 0);
        return buf.AsSpan(0, len).ToArray();
    }
}

internal sealed class RecordingListener : IIceServerListener
{
    public readonly List<string> Events = new();

    /// <summary>Run from inside OnIceTupleRemoved (e.g. closing the TCP connection).</summary>
    public Action<IceTuple>? OnRemoved;

    public void OnIceUsernameFragmentAdded(string usernameFragment) => Events.Add($"ufrag+ {usernameFragment}");

    public void OnIceUsernameFragmentRemoved(string usernameFragment) => Events.Add($"ufrag- {usernameFragment}");

    public void OnIceTupleAdded(in IceTuple tuple) => Events.Add($"tuple+ {tuple.Remote}");

    public void OnIceTupleRemoved(in IceTuple tuple)
    {
        Events.Add($"tuple- {tuple.Remote}");
        OnRemoved?.Invoke(tuple);
    }

    public void OnIceSelectedTupleChanged(in IceTuple tuple) => Events.Add($"selected {tuple.Remote}");

    public void OnIceStateChanged(IceState state) => Events.Add($"state {state}");

    public List<string> Take()
    {
        var copy = new List<string>(Events);
        Events.Clear();
        return copy;
    }
}
