using System.Text;
using Mediasoup.Crypto;
using Mediasoup.Ice;
using Mediasoup.Net;
using Xunit;
using static Mediasoup.Tests.Ice.IceTestUtil;

namespace Mediasoup.Tests.Ice;

public sealed class IceServerTests : IDisposable
{
    private const string Ufrag = "localufrag";
    private const string Pwd = "localpassword0123456789";
    private const string Remote = "remoteufrag";

    private readonly HmacSha1 _hmac = new();
    private readonly RecordingListener _events = new();
    private readonly IceServer _ice;

    private static readonly IceTuple A = Udp("192.0.2.1", 5000);
    private static readonly IceTuple B = Udp("192.0.2.2", 5000);
    private static readonly IceTuple C = Udp("2001:db8::3", 6000, localId: 2);

    public IceServerTests() => _ice = new IceServer(_events, _hmac, Ufrag, Pwd, consentTimeoutSec: 30);

    public void Dispose() => _hmac.Dispose();

    private byte[] Check(bool useCandidate = false, uint? nomination = null, uint? legacyNomination = null,
        string ufrag = Ufrag, string pwd = Pwd) =>
        Request(_hmac, $"{ufrag}:{Remote}", pwd, useCandidate: useCandidate, nomination: nomination, legacyNomination: legacyNomination);

    private (IceStunResult Result, byte[] Response) Feed(byte[] packet, in IceTuple tuple, long nowMs = 1000, IceServer? ice = null)
    {
        byte[] buf = new byte[IceServer.MaxResponseLength];
        IceStunResult r = (ice ?? _ice).ProcessStunPacket(packet, tuple, nowMs, buf, out int len);
        return (r, buf.AsSpan(0, len).ToArray());
    }

    private static string S(in IceTuple t) => t.Remote.ToString();

    private void AssertError(byte[] response, int code, string reason)
    {
        Assert.True(StunMessage.TryParse(response, out StunMessage m));
        Assert.Equal(StunClass.ErrorResponse, m.Class);
        Assert.Equal(DefaultTid, m.TransactionId.ToArray());
        Assert.True(m.TryGetErrorCode(out int c, out ReadOnlySpan<byte> r));
        Assert.Equal(code, c);
        Assert.Equal(reason, Encoding.ASCII.GetString(r));
        // mediasoup signs no error response: FINGERPRINT only.
        Assert.False(m.HasMessageIntegrity);
        Assert.True(m.HasFingerprint);
    }

    private void AssertSuccess(byte[] response, in IceTuple tuple, string password)
    {
        Assert.True(StunMessage.TryParse(response, out StunMessage m));
        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal(StunMethod.Binding, m.Method);
        Assert.Equal(DefaultTid, m.TransactionId.ToArray());
        Assert.True(m.TryGetXorMappedAddress(out IpEndpoint mapped));
        Assert.Equal(tuple.Remote, mapped);
        Assert.Equal(StunAuthResult.Ok, m.CheckAuthentication(default, Encoding.ASCII.GetBytes(password), _hmac));
        Assert.True(m.HasFingerprint);
    }

    private void AssertUntouched()
    {
        Assert.Equal(IceState.New, _ice.State);
        Assert.Equal(0, _ice.Tuples.Length);
        Assert.False(_ice.HasSelectedTuple);
        Assert.Empty(_events.Events);
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs);
    }

    // ------------------------------------------------------------------ error paths (§5.2)

    [Fact]
    public void NonBindingRequest_400()
    {
        var (r, resp) = Feed(Request(_hmac, $"{Ufrag}:{Remote}", Pwd, method: 0x003), A);
        Assert.Equal(IceStunResult.BadRequestUnknownMethod, r);
        AssertError(resp, 400, "unknown method");
        Assert.True(StunMessage.TryParse(resp, out StunMessage m));
        Assert.Equal(0x003, m.Method); // answered in the request's method
        AssertUntouched();
    }

    [Fact]
    public void MissingFingerprint_400_BeforeAnythingElse()
    {
        var (r, resp) = Feed(Request(_hmac, null, null, priority: null, fingerprint: false), A);
        Assert.Equal(IceStunResult.BadRequestMissingFingerprint, r);
        AssertError(resp, 400, "missing FINGERPRINT attribute in STUN Binding request");
        AssertUntouched();
    }

    [Fact]
    public void MissingPriority_400()
    {
        var (r, resp) = Feed(Request(_hmac, $"{Ufrag}:{Remote}", Pwd, priority: null), A);
        Assert.Equal(IceStunResult.BadRequestMissingPriority, r);
        AssertError(resp, 400, "missing PRIORITY attribute in STUN Binding request");
        AssertUntouched();
    }

    [Fact]
    public void MissingUsernameOrIntegrity_400()
    {
        var (r1, resp1) = Feed(Request(_hmac, null, Pwd), A);
        Assert.Equal(IceStunResult.BadRequestMissingCredentials, r1);
        AssertError(resp1, 400, "cannot check authentication in STUN Binding request");
        var (r2, resp2) = Feed(Request(_hmac, $"{Ufrag}:{Remote}", null), A);
        Assert.Equal(IceStunResult.BadRequestMissingCredentials, r2);
        AssertError(resp2, 400, "cannot check authentication in STUN Binding request");
        AssertUntouched();
    }

    [Theory]
    [InlineData("otherufrag:" + Remote, Pwd)]
    [InlineData(Ufrag + "x:" + Remote, Pwd)]
    [InlineData(Ufrag, Pwd)]
    [InlineData("localufra:" + Remote, Pwd)]
    [InlineData(Ufrag + ":" + Remote, "wrongpassword")]
    [InlineData(Ufrag + ":" + Remote, "")]
    public void WrongCredentials_401(string username, string password)
    {
        var (r, resp) = Feed(Request(_hmac, username, password), A);
        Assert.Equal(IceStunResult.Unauthorized, r);
        AssertError(resp, 401, "wrong authentication in STUN Binding request");
        AssertUntouched();
    }

    [Fact]
    public void TamperedIntegrity_IsCaughtByFingerprintOr401()
    {
        byte[] req = Check();
        // Flip a MESSAGE-INTEGRITY byte and fix the FINGERPRINT up, so only the HMAC can notice.
        int mi = req.Length - 8 - 20;
        req[mi] ^= 0x80;
        uint crc = Crc32.Compute(req.AsSpan(0, req.Length - 8)) ^ StunMessage.FingerprintXor;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(req.AsSpan(req.Length - 4), crc);
        var (r, resp) = Feed(req, A);
        Assert.Equal(IceStunResult.Unauthorized, r);
        AssertError(resp, 401, "wrong authentication in STUN Binding request");

        // Without fixing the FINGERPRINT the packet is not even STUN any more.
        byte[] req2 = Check();
        req2[mi] ^= 0x80;
        Assert.Equal(IceStunResult.Malformed, Feed(req2, A).Result);
        AssertUntouched();
    }

    [Theory]
    [InlineData(0x0102030405060708ul)]
    [InlineData(0ul)]
    public void IceControlled_487(ulong tieBreaker)
    {
        var (r, resp) = Feed(Request(_hmac, $"{Ufrag}:{Remote}", Pwd, controlling: null, controlled: tieBreaker), A);
        Assert.Equal(IceStunResult.RoleConflict, r);
        AssertError(resp, 487, "invalid ICE-CONTROLLED attribute in STUN Binding request");
        AssertUntouched();
    }

    [Fact]
    public void Rfc5769SampleRequest_IsAuthenticatedThenRefusedWith487()
    {
        // The RFC's request comes from a controlled agent.
        byte[] req = Hex(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063" +
            "6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68" +
            "367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");
        var ice = new IceServer(_events, _hmac, "evtj", "VOkJxbRl1RmTxUk/WvJxBt", 0);
        Assert.Equal(IceStunResult.RoleConflict, Feed(req, A, ice: ice).Result);
        var other = new IceServer(_events, _hmac, "evtj", "another", 0);
        Assert.Equal(IceStunResult.Unauthorized, Feed(req, A, ice: other).Result);
    }

    [Fact]
    public void IndicationsAndResponses_AreIgnored()
    {
        foreach (StunClass cls in new[] { StunClass.Indication, StunClass.SuccessResponse, StunClass.ErrorResponse })
        {
            var (r, resp) = Feed(Request(_hmac, $"{Ufrag}:{Remote}", Pwd, cls: cls), A);
            Assert.Equal(IceStunResult.Ignored, r);
            Assert.Empty(resp);
        }
        AssertUntouched();
    }

    [Fact]
    public void Garbage_IsMalformed_NoResponse()
    {
        Assert.Equal(IceStunResult.Malformed, Feed([], A).Result);
        Assert.Equal(IceStunResult.Malformed, Feed(new byte[20], A).Result);
        Assert.Equal(IceStunResult.Malformed, Feed(Check().AsSpan(0, 40).ToArray(), A).Result);
        AssertUntouched();
    }

    [Fact]
    public void ResponseBufferTooSmall_NoThrow_StateStillAdvances()
    {
        byte[] small = new byte[30];
        Assert.Equal(IceStunResult.Success, _ice.ProcessStunPacket(Check(), A, 0, small, out int len));
        Assert.Equal(0, len);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.Equal(IceStunResult.Unauthorized, _ice.ProcessStunPacket(Check(pwd: "x"), A, 0, Span<byte>.Empty, out len));
        Assert.Equal(0, len);
    }

    [Fact]
    public void HostileInput_NeverThrows()
    {
        var rng = new Random(8445);
        byte[] valid = Check(useCandidate: true, nomination: 5);
        byte[] buf = new byte[IceServer.MaxResponseLength];
        for (int i = 0; i < 20000; i++)
        {
            byte[] p = (byte[])valid.Clone();
            int len = rng.Next(0, p.Length + 1);
            for (int f = rng.Next(0, 4); f > 0; f--)
                p[rng.Next(p.Length)] ^= (byte)(1 << rng.Next(8));
            _ice.ProcessStunPacket(p.AsSpan(0, len), A, i, buf, out int n);
            Assert.InRange(n, 0, buf.Length);
        }
    }

    // ------------------------------------------------------------------ success and state machine

    [Fact]
    public void FirstCheck_Connected_SelectsTuple()
    {
        var (r, resp) = Feed(Check(), A);
        Assert.Equal(IceStunResult.Success, r);
        AssertSuccess(resp, A, Pwd);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.True(_ice.TryGetSelectedTuple(out IceTuple sel));
        Assert.Equal(A, sel);
        Assert.Equal(new[] { $"tuple+ {S(A)}", $"selected {S(A)}", "state Connected" }, _events.Take());

        // Same tuple again: nothing new.
        Assert.Equal(IceStunResult.Success, Feed(Check(), A).Result);
        Assert.Empty(_events.Take());

        // Another tuple without nomination is only stored.
        Assert.Equal(IceStunResult.Success, Feed(Check(), B).Result);
        Assert.Equal(new[] { $"tuple+ {S(B)}" }, _events.Take());
        Assert.True(_ice.IsValidTuple(B));
        Assert.True(_ice.TryGetSelectedTuple(out sel));
        Assert.Equal(A, sel);
    }

    [Fact]
    public void Ipv6Tuple_GetsIpv6XorMappedAddress()
    {
        var (r, resp) = Feed(Check(useCandidate: true), C);
        Assert.Equal(IceStunResult.Success, r);
        AssertSuccess(resp, C, Pwd);
        Assert.Equal(76, resp.Length);
    }

    [Fact]
    public void UseCandidate_FromNew_Completed()
    {
        Feed(Check(useCandidate: true), A);
        Assert.Equal(IceState.Completed, _ice.State);
        Assert.Equal(new[] { $"tuple+ {S(A)}", $"selected {S(A)}", "state Completed" }, _events.Take());
    }

    [Fact]
    public void UseCandidate_FromConnected_CompletedOnThatTuple_ThenReselects()
    {
        Feed(Check(), A);
        Feed(Check(), B);
        _events.Take();
        Feed(Check(useCandidate: true), B);
        Assert.Equal(IceState.Completed, _ice.State);
        Assert.Equal(new[] { $"selected {S(B)}", "state Completed" }, _events.Take());

        // In completed, USE-CANDIDATE elsewhere moves the selection, with no state event.
        Feed(Check(useCandidate: true), A);
        Assert.Equal(new[] { $"selected {S(A)}" }, _events.Take());
        // A plain check on another tuple does not.
        Feed(Check(), C);
        Assert.Equal(new[] { $"tuple+ {S(C)}" }, _events.Take());
        Assert.True(_ice.TryGetSelectedTuple(out IceTuple sel));
        Assert.Equal(A, sel);
    }

    [Fact]
    public void Nomination_OnlyHigherValuesReselect()
    {
        Feed(Check(nomination: 1), A);
        Assert.Equal(IceState.Completed, _ice.State);
        Assert.Equal(1u, _ice.RemoteNomination);
        _events.Take();

        Feed(Check(nomination: 1), B);
        Assert.Equal(new[] { $"tuple+ {S(B)}" }, _events.Take());
        Feed(Check(nomination: 2), B);
        Assert.Equal(new[] { $"selected {S(B)}" }, _events.Take());
        Assert.Equal(2u, _ice.RemoteNomination);
        // Legacy code point counts the same.
        Feed(Check(legacyNomination: 3), A);
        Assert.Equal(new[] { $"selected {S(A)}" }, _events.Take());
        Assert.Equal(3u, _ice.RemoteNomination);
        // In completed, USE-CANDIDATE re-selects even with a stale nomination (as mediasoup does).
        Feed(Check(useCandidate: true, nomination: 1), B);
        Assert.Equal(new[] { $"selected {S(B)}" }, _events.Take());
        Assert.Equal(3u, _ice.RemoteNomination);
    }

    [Fact]
    public void StaleNomination_InNew_StoresTupleWithoutTransition()
    {
        // mediasoup quirk: nomination 0 is not above the initial 0, so nothing is selected.
        Feed(Check(nomination: 0), A);
        Assert.Equal(IceState.New, _ice.State);
        Assert.True(_ice.IsValidTuple(A));
        Assert.False(_ice.HasSelectedTuple);
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs);
        Assert.Equal(new[] { $"tuple+ {S(A)}" }, _events.Take());
        // Even with USE-CANDIDATE alongside.
        Feed(Check(useCandidate: true, nomination: 0), B);
        Assert.Equal(IceState.New, _ice.State);
        // A plain check then connects.
        Feed(Check(), B);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.Equal(new[] { $"tuple+ {S(B)}", $"selected {S(B)}", "state Connected" }, _events.Take());
    }

    [Fact]
    public void StaleNomination_InConnected_DoesNotComplete()
    {
        Feed(Check(), A);
        Feed(Check(useCandidate: true, nomination: 0), B);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.True(_ice.TryGetSelectedTuple(out IceTuple sel));
        Assert.Equal(A, sel);
    }

    [Fact]
    public void TcpTuples_SameRemoteDifferentConnections_AreDistinct()
    {
        IceTuple t1 = Tcp("192.0.2.9", 7000, connectionId: 11);
        IceTuple t2 = Tcp("192.0.2.9", 7000, connectionId: 12);
        Assert.NotEqual(t1, t2);
        Feed(Check(), t1);
        Feed(Check(), t2);
        Assert.Equal(2, _ice.Tuples.Length);
        Assert.True(_ice.IsValidTuple(t2));
        Assert.False(_ice.IsValidTuple(Udp("192.0.2.9", 7000, 11)));
    }

    // ------------------------------------------------------------------ tuples

    [Fact]
    public void NinthTuple_EvictsOldestNonSelected()
    {
        var tuples = Enumerable.Range(1, 9).Select(i => Udp($"198.51.100.{i}", (ushort)(1000 + i))).ToArray();
        Feed(Check(), tuples[0]); // selected
        for (int i = 1; i < 8; i++)
            Feed(Check(), tuples[i]);
        Assert.Equal(8, _ice.Tuples.Length);
        _events.Take();

        Feed(Check(), tuples[8]);
        Assert.Equal(new[] { $"tuple+ {S(tuples[8])}", $"tuple- {S(tuples[1])}" }, _events.Take());
        Assert.Equal(8, _ice.Tuples.Length);
        Assert.False(_ice.IsValidTuple(tuples[1]));
        Assert.True(_ice.IsValidTuple(tuples[0]));
        Assert.True(_ice.TryGetSelectedTuple(out IceTuple sel));
        Assert.Equal(tuples[0], sel);

        // Nominating the newest keeps the selection index right after the shift.
        Feed(Check(useCandidate: true), tuples[8]);
        Assert.True(_ice.TryGetSelectedTuple(out sel));
        Assert.Equal(tuples[8], sel);
        // The next newcomer now evicts the oldest, tuples[0], no longer selected.
        IceTuple extra = Udp("198.51.100.50", 2000);
        _events.Take();
        Feed(Check(), extra);
        Assert.Equal(new[] { $"tuple+ {S(extra)}", $"tuple- {S(tuples[0])}" }, _events.Take());
    }

    [Fact]
    public void RemoveTuple_NonSelected_JustRemoved()
    {
        Feed(Check(), A);
        Feed(Check(), B);
        _events.Take();
        _ice.RemoveTuple(B, 2000);
        Assert.Equal(new[] { $"tuple- {S(B)}" }, _events.Take());
        Assert.Equal(IceState.Connected, _ice.State);
        _ice.RemoveTuple(B, 2000); // unknown now
        _ice.RemoveTuple(C, 2000);
        Assert.Empty(_events.Take());
    }

    [Fact]
    public void RemoveTuple_Selected_NewestRemainingTakesOver()
    {
        Feed(Check(useCandidate: true), A, 1000);
        Feed(Check(), B, 1000);
        Feed(Check(), C, 1000);
        _events.Take();
        _ice.RemoveTuple(A, 5000);
        Assert.Equal(new[] { $"tuple- {S(A)}", $"selected {S(C)}" }, _events.Take());
        Assert.Equal(IceState.Completed, _ice.State);
        Assert.Equal(5000 + 30000, _ice.NextDeadlineMs);
    }

    [Fact]
    public void RemoveTuple_Last_Disconnected_ThenReconnects()
    {
        Feed(Check(nomination: 4), A);
        _events.Take();
        _ice.RemoveTuple(A, 2000);
        Assert.Equal(new[] { $"tuple- {S(A)}", "state Disconnected" }, _events.Take());
        Assert.Equal(IceState.Disconnected, _ice.State);
        Assert.False(_ice.HasSelectedTuple);
        Assert.Equal(0u, _ice.RemoteNomination);
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs);

        Feed(Check(), B, 3000);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.Equal(new[] { $"tuple+ {S(B)}", $"selected {S(B)}", "state Connected" }, _events.Take());
        // Nomination restarted from 0, so 1 completes again.
        Feed(Check(nomination: 1), A, 3000);
        Assert.Equal(IceState.Completed, _ice.State);
    }

    [Fact]
    public void RemoveTuple_FromInsideTheRemovedCallback_IsIgnored()
    {
        IceTuple tcp = Tcp("192.0.2.7", 9000, 3);
        Feed(Check(), tcp);
        Feed(Check(), A);
        int reentered = 0;
        // Closing the TCP connection reports it closed, which comes back as RemoveTuple.
        _events.OnRemoved = t => { reentered++; _ice.RemoveTuple(t, 0); _ice.RemoveTuple(A, 0); };
        _events.Take();
        _ice.RemoveTuple(tcp, 0);
        Assert.Equal(1, reentered);
        Assert.Equal(new[] { $"tuple- {S(tcp)}", $"selected {S(A)}" }, _events.Take());
        Assert.True(_ice.IsValidTuple(A));
    }

    [Fact]
    public void ForceSelectedTuple_OnlyKnownTuplesWhileConnected()
    {
        Assert.False(_ice.ForceSelectedTuple(A)); // new
        Feed(Check(nomination: 0), A);
        Assert.False(_ice.ForceSelectedTuple(A)); // still new
        Feed(Check(), B);
        _events.Take();
        Assert.True(_ice.ForceSelectedTuple(A));
        Assert.Equal(new[] { $"selected {S(A)}" }, _events.Take());
        Assert.True(_ice.ForceSelectedTuple(A)); // already selected: no event
        Assert.Empty(_events.Take());
        Assert.False(_ice.ForceSelectedTuple(C)); // unknown
        Assert.Empty(_events.Take());
    }

    // ------------------------------------------------------------------ restartIce

    [Fact]
    public void RestartIce_OldCredentialsWorkUntilNewOnesAreUsed()
    {
        Feed(Check(nomination: 2), A);
        _events.Take();
        _ice.RestartIce("newufrag", "newpassword", 2000);
        Assert.Equal(new[] { "ufrag+ newufrag" }, _events.Take());
        Assert.Equal(Ufrag, _ice.OldUsernameFragment);
        Assert.Equal(0u, _ice.RemoteNomination);

        // Old credentials still accepted, and the response is signed with the old password.
        var (r, resp) = Feed(Check(), A);
        Assert.Equal(IceStunResult.Success, r);
        AssertSuccess(resp, A, Pwd);
        Assert.Empty(_events.Take());

        // New credentials: accepted, the old fragment is retired, response signed with the new password.
        (r, resp) = Feed(Check(ufrag: "newufrag", pwd: "newpassword"), A);
        Assert.Equal(IceStunResult.Success, r);
        AssertSuccess(resp, A, "newpassword");
        Assert.Equal(new[] { $"ufrag- {Ufrag}" }, _events.Take());
        Assert.Null(_ice.OldUsernameFragment);

        // From now on the old ones are refused.
        (r, resp) = Feed(Check(), A);
        Assert.Equal(IceStunResult.Unauthorized, r);
        AssertError(resp, 401, "wrong authentication in STUN Binding request");
        // New fragment with the old password is refused too.
        Assert.Equal(IceStunResult.Unauthorized, Feed(Check(ufrag: "newufrag", pwd: Pwd), A).Result);
    }

    [Fact]
    public void RestartIce_Twice_DropsTheOldestPair()
    {
        _ice.RestartIce("u2", "p2", 0);
        _ice.RestartIce("u3", "p3", 0);
        Assert.Equal(new[] { "ufrag+ u2", $"ufrag- {Ufrag}", "ufrag+ u3" }, _events.Take());
        Assert.Equal(IceStunResult.Unauthorized, Feed(Check(), A).Result);
        Assert.Equal(IceStunResult.Success, Feed(Check(ufrag: "u2", pwd: "p2"), A).Result);
        Assert.Equal(IceStunResult.Success, Feed(Check(ufrag: "u3", pwd: "p3"), A).Result);
        Assert.Contains("ufrag- u2", _events.Take());
    }

    [Fact]
    public void RestartIce_NewNominationSequenceStartsOver()
    {
        Feed(Check(nomination: 9), A);
        _ice.RestartIce("u2", "p2", 0);
        _events.Take();
        Feed(Check(nomination: 1, ufrag: "u2", pwd: "p2"), B);
        Assert.Contains($"selected {S(B)}", _events.Take());
    }

    // ------------------------------------------------------------------ consent

    [Fact]
    public void Consent_ArmedRenewedAndExpires()
    {
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs);
        Feed(Check(), A, nowMs: 1000);
        Feed(Check(), B, nowMs: 1000);
        Assert.Equal(31000, _ice.NextDeadlineMs);
        Feed(Check(), A, nowMs: 11000);
        Assert.Equal(41000, _ice.NextDeadlineMs);
        // Failed checks do not renew consent.
        Feed(Check(pwd: "bad"), A, nowMs: 20000);
        Assert.Equal(41000, _ice.NextDeadlineMs);

        _events.Take();
        _ice.OnTimer(40999);
        Assert.Equal(IceState.Connected, _ice.State);
        Assert.Empty(_events.Take());

        _ice.OnTimer(41000);
        Assert.Equal(IceState.Disconnected, _ice.State);
        Assert.Equal(new[] { $"tuple- {S(A)}", $"tuple- {S(B)}", "state Disconnected" }, _events.Take());
        Assert.Equal(0, _ice.Tuples.Length);
        Assert.False(_ice.HasSelectedTuple);
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs);
        Assert.False(_ice.ForceSelectedTuple(A));

        _ice.OnTimer(100000);
        Assert.Empty(_events.Take());

        // A fresh check brings it back.
        Feed(Check(useCandidate: true), B, nowMs: 50000);
        Assert.Equal(IceState.Completed, _ice.State);
        Assert.Equal(80000, _ice.NextDeadlineMs);
    }

    [Fact]
    public void Consent_RestartIceRenewsARunningTimer()
    {
        _ice.RestartIce("u2", "p2", 500);
        Assert.Equal(IceServer.NoDeadline, _ice.NextDeadlineMs); // not running: not started
        Feed(Check(), A, nowMs: 1000);
        _ice.RestartIce("u3", "p3", 20000);
        Assert.Equal(50000, _ice.NextDeadlineMs);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 10)]
    [InlineData(9, 10)]
    [InlineData(10, 10)]
    [InlineData(30, 30)]
    [InlineData(60, 60)]
    [InlineData(61, 60)]
    [InlineData(255, 60)]
    public void Consent_TimeoutIsClamped(byte given, int expectedSec)
    {
        var ice = new IceServer(_events, _hmac, Ufrag, Pwd, given);
        Assert.Equal(expectedSec * 1000L, ice.ConsentTimeoutMs);
        Feed(Check(), A, nowMs: 7, ice: ice);
        Assert.Equal(expectedSec == 0 ? IceServer.NoDeadline : 7 + expectedSec * 1000L, ice.NextDeadlineMs);
    }

    [Fact]
    public void Consent_Disabled_NeverExpires()
    {
        var ice = new IceServer(_events, _hmac, Ufrag, Pwd, 0);
        Feed(Check(), A, nowMs: 0, ice: ice);
        ice.OnTimer(long.MaxValue - 1);
        Assert.Equal(IceState.Connected, ice.State);
    }

    // ------------------------------------------------------------------ close

    [Fact]
    public void Close_ReportsEverythingRemoved_ThenIgnoresInput()
    {
        Feed(Check(), A);
        Feed(Check(), B);
        _ice.RestartIce("u2", "p2", 0);
        _events.Take();
        _ice.Close();
        Assert.Equal(new[] { "ufrag- u2", $"ufrag- {Ufrag}", $"tuple- {S(A)}", $"tuple- {S(B)}" }, _events.Take());
        Assert.Equal(IceStunResult.Malformed, Feed(Check(), A).Result);
        _ice.RemoveTuple(A, 0);
        _ice.OnTimer(long.MaxValue);
        _ice.Close();
        Assert.Empty(_events.Take());
    }

    [Fact]
    public void PreParsedMessage_IsProcessedTheSame()
    {
        byte[] req = Check(useCandidate: true);
        Assert.True(StunMessage.TryParse(req, out StunMessage m));
        Assert.Equal(Ufrag, Encoding.ASCII.GetString(m.UsernameLocalPart));
        byte[] buf = new byte[IceServer.MaxResponseLength];
        Assert.Equal(IceStunResult.Success, _ice.ProcessStunMessage(m, A, 0, buf, out int len));
        AssertSuccess(buf.AsSpan(0, len).ToArray(), A, Pwd);
        Assert.Equal(IceStunResult.Malformed, _ice.ProcessStunMessage(default, A, 0, buf, out len));
        Assert.Equal(0, len);
    }

    [Fact]
    public void SuccessPath_DoesNotAllocate()
    {
        byte[] req = Check();
        byte[] buf = new byte[IceServer.MaxResponseLength];
        var quiet = new IceServer(new NullListener(), _hmac, Ufrag, Pwd, 30);
        quiet.ProcessStunPacket(req, A, 0, buf, out _); // warm up, store the tuple
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            quiet.ProcessStunPacket(req, A, i, buf, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private sealed class NullListener : IIceServerListener
    {
        public void OnIceUsernameFragmentAdded(string usernameFragment) { }
        public void OnIceUsernameFragmentRemoved(string usernameFragment) { }
        public void OnIceTupleAdded(in IceTuple tuple) { }
        public void OnIceTupleRemoved(in IceTuple tuple) { }
        public void OnIceSelectedTupleChanged(in IceTuple tuple) { }
        public void OnIceStateChanged(IceState state) { }
    }
}
