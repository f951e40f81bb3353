using System;
using System.Text;
using Mediasoup.Crypto;

namespace Mediasoup.Ice;

/// <summary>
/// What an <see cref="IceServer"/> reports, synchronously, from inside the call that caused
/// it. The server's own state is already consistent when a callback runs. A callback may call
/// <see cref="IceServer.RemoveTuple"/> (ignored while tuples are being removed, so closing a
/// TCP connection from <see cref="OnIceTupleRemoved"/> is safe) but should not feed packets back.
/// </summary>
internal interface IIceServerListener
{
    /// <summary>A username fragment became valid (after <see cref="IceServer.RestartIce"/>).
    /// The one given to the constructor is not reported: the caller already knows it.</summary>
    void OnIceUsernameFragmentAdded(string usernameFragment);

    /// <summary>A username fragment is no longer accepted (superseded, or the server closed).</summary>
    void OnIceUsernameFragmentRemoved(string usernameFragment);

    void OnIceTupleAdded(in IceTuple tuple);

    /// <summary>The tuple is gone; a TCP one should have its connection closed.</summary>
    void OnIceTupleRemoved(in IceTuple tuple);

    /// <summary>Media now goes to <paramref name="tuple"/>. Not raised when the selection is merely cleared.</summary>
    void OnIceSelectedTupleChanged(in IceTuple tuple);

    /// <summary>Entered connected, completed or disconnected.</summary>
    void OnIceStateChanged(IceState state);
}

/// <summary>What <see cref="IceServer.ProcessStunPacket"/> did with a packet.</summary>
internal enum IceStunResult : byte
{
    /// <summary>Not a valid STUN message (or the server is closed): dropped, no response.</summary>
    Malformed = 0,
    /// <summary>An indication or a response: ignored (ICE-lite sends no requests).</summary>
    Ignored,
    /// <summary>A valid Binding request: success response written.</summary>
    Success,
    /// <summary>400: a request for a method other than Binding.</summary>
    BadRequestUnknownMethod,
    /// <summary>400: no FINGERPRINT (RFC 8445 §7.3 requires it).</summary>
    BadRequestMissingFingerprint,
    /// <summary>400: no PRIORITY (RFC 8445 §7.1.1).</summary>
    BadRequestMissingPriority,
    /// <summary>400: USERNAME or MESSAGE-INTEGRITY missing.</summary>
    BadRequestMissingCredentials,
    /// <summary>401: USERNAME does not start with the local fragment, or MESSAGE-INTEGRITY fails.</summary>
    Unauthorized,
    /// <summary>487: the peer also claims the controlled role.</summary>
    RoleConflict,
}

/// <summary>
/// ICE-lite, always controlled (RFC 8445 §2.5, §7.3): answers Binding requests, keeps the
/// tuples that passed a check, picks the selected one, and drops everything when consent
/// (RFC 7675) lapses. Sans-IO: bytes and a timestamp in, a response in the caller's span and
/// listener callbacks out; the caller arms a timer at <see cref="NextDeadlineMs"/> and calls
/// <see cref="OnTimer"/>. Mirrors mediasoup's IceServer, including its quirks (noted inline).
/// </summary>
internal sealed class IceServer
{
    public const int MaxTuples = 8;
    public const byte MinConsentTimeoutSec = 10;
    public const byte MaxConsentTimeoutSec = 60;

    /// <summary>Room for any response this server writes (the longest is a 400 with its reason, 92 B).</summary>
    public const int MaxResponseLength = 128;

    /// <summary><see cref="NextDeadlineMs"/> when no timer is needed.</summary>
    public const long NoDeadline = long.MaxValue;

    private readonly IIceServerListener _listener;
    private readonly HmacSha1 _hmac;
    private readonly long _consentTimeoutMs;

    private string _ufrag;
    private string _password;
    private byte[] _ufragBytes;
    private byte[] _passwordBytes;
    // Kept after RestartIce until a request authenticates with the new credentials.
    private string? _oldUfrag;
    private string? _oldPassword;
    private byte[]? _oldUfragBytes;
    private byte[]? _oldPasswordBytes;

    // Oldest first; one spare slot so a ninth tuple can be added before the eviction.
    private readonly IceTuple[] _tuples = new IceTuple[MaxTuples + 1];
    private int _tupleCount;
    private int _selected = -1;
    private uint _remoteNomination;
    private long _consentDeadlineMs = NoDeadline;
    private bool _removingTuples;
    private bool _closed;

    /// <param name="hmac">Shared HMAC context (one per worker); not owned.</param>
    /// <param name="consentTimeoutSec">0 disables consent checks; otherwise clamped to 10..60 s.</param>
    public IceServer(IIceServerListener listener, HmacSha1 hmac, string usernameFragment, string password, byte consentTimeoutSec)
    {
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));
        _hmac = hmac ?? throw new ArgumentNullException(nameof(hmac));
        _ufrag = usernameFragment ?? throw new ArgumentNullException(nameof(usernameFragment));
        _password = password ?? throw new ArgumentNullException(nameof(password));
        _ufragBytes = Encoding.UTF8.GetBytes(usernameFragment);
        _passwordBytes = Encoding.UTF8.GetBytes(password);
        _consentTimeoutMs = ClampConsentTimeoutSec(consentTimeoutSec) * 1000L;
    }

    /// <summary>0 stays 0 (disabled); anything else into 10..60 as mediasoup does.</summary>
    public static byte ClampConsentTimeoutSec(byte seconds) =>
        seconds == 0 ? (byte)0 : Math.Clamp(seconds, MinConsentTimeoutSec, MaxConsentTimeoutSec);

    public string UsernameFragment => _ufrag;

    public string Password => _password;

    /// <summary>The fragment still accepted after a restart, until the new one is used.</summary>
    public string? OldUsernameFragment => _oldUfrag;

    public IceState State { get; private set; } = IceState.New;

    public uint RemoteNomination => _remoteNomination;

    public long ConsentTimeoutMs => _consentTimeoutMs;

    /// <summary>When <see cref="OnTimer"/> must next run; <see cref="NoDeadline"/> if never.</summary>
    public long NextDeadlineMs => _consentDeadlineMs;

    /// <summary>Valid tuples, oldest first.</summary>
    public ReadOnlySpan<IceTuple> Tuples => _tuples.AsSpan(0, _tupleCount);

    public bool HasSelectedTuple => _selected >= 0;

    public bool TryGetSelectedTuple(out IceTuple tuple)
    {
        if (_selected < 0)
        {
            tuple = default;
            return false;
        }
        tuple = _tuples[_selected];
        return true;
    }

    public bool IsValidTuple(in IceTuple tuple) => IndexOf(tuple) >= 0;

    // ------------------------------------------------------------------ STUN

    /// <summary>
    /// Handles one received datagram already classified as STUN. A response, if any, is written
    /// to <paramref name="responseOut"/> (<see cref="MaxResponseLength"/> bytes always suffice)
    /// and must be sent back on <paramref name="tuple"/>; <paramref name="responseLength"/> is 0
    /// when there is none or it did not fit. Listener callbacks run after the response is
    /// written but before the caller can send it; mediasoup sends first, so a caller that
    /// starts DTLS from <see cref="IIceServerListener.OnIceStateChanged"/> may defer that flight.
    /// </summary>
    public IceStunResult ProcessStunPacket(ReadOnlySpan<byte> data, in IceTuple tuple, long nowMs,
        Span<byte> responseOut, out int responseLength)
    {
        responseLength = 0;
        if (!StunMessage.TryParse(data, out StunMessage message))
            return IceStunResult.Malformed;
        return ProcessStunMessage(message, tuple, nowMs, responseOut, out responseLength);
    }

    /// <summary>As <see cref="ProcessStunPacket"/>, for a message the caller already parsed
    /// (a shared server socket parses it to find the transport by username fragment).</summary>
    public IceStunResult ProcessStunMessage(in StunMessage request, in IceTuple tuple, long nowMs,
        Span<byte> responseOut, out int responseLength)
    {
        responseLength = 0;
        if (_closed || !request.IsValid)
            return IceStunResult.Malformed;
        if (request.Class != StunClass.Request)
            return IceStunResult.Ignored;

        if (request.Method != StunMethod.Binding)
        {
            responseLength = Error(request, responseOut, 400, "unknown method"u8);
            return IceStunResult.BadRequestUnknownMethod;
        }
        // RFC 8445 §7.3: checks carry FINGERPRINT; §7.1.1: and PRIORITY.
        if (!request.HasFingerprint)
        {
            responseLength = Error(request, responseOut, 400, "missing FINGERPRINT attribute in STUN Binding request"u8);
            return IceStunResult.BadRequestMissingFingerprint;
        }
        if (!request.HasPriority)
        {
            responseLength = Error(request, responseOut, 400, "missing PRIORITY attribute in STUN Binding request"u8);
            return IceStunResult.BadRequestMissingPriority;
        }

        switch (request.CheckAuthentication(_ufragBytes, _passwordBytes, _hmac))
        {
            case StunAuthResult.Ok:
                // The peer uses the new credentials: the old ones stop working now.
                if (_oldUfrag != null)
                {
                    string old = _oldUfrag;
                    _oldUfrag = null;
                    _oldPassword = null;
                    _oldUfragBytes = null;
                    _oldPasswordBytes = null;
                    _listener.OnIceUsernameFragmentRemoved(old);
                }
                break;

            case StunAuthResult.Unauthorized:
                if (_oldUfragBytes != null
                    && request.CheckAuthentication(_oldUfragBytes, _oldPasswordBytes, _hmac) == StunAuthResult.Ok)
                {
                    break;
                }
                responseLength = Error(request, responseOut, 401, "wrong authentication in STUN Binding request"u8);
                return IceStunResult.Unauthorized;

            default:
                responseLength = Error(request, responseOut, 400, "cannot check authentication in STUN Binding request"u8);
                return IceStunResult.BadRequestMissingCredentials;
        }

        // ICE-lite is always controlled (RFC 8445 §6.1.1), so a peer that is controlled too is a
        // role conflict it cannot resolve by switching (§7.3.1.1). mediasoup answers 487 only
        // when the tie-breaker is non-zero; any ICE-CONTROLLED is answered here.
        if (request.HasIceControlled)
        {
            responseLength = Error(request, responseOut, 487, "invalid ICE-CONTROLLED attribute in STUN Binding request"u8);
            return IceStunResult.RoleConflict;
        }

        // Signed with whichever password authenticated the request: the old one while it is
        // still around (a request with the new one would have retired it above).
        responseLength = StunWriter.WriteBindingSuccess(responseOut, request.TransactionId, tuple.Remote,
            _oldPasswordBytes ?? _passwordBytes, _hmac);

        HandleTuple(tuple, request.HasUseCandidate, request.HasNomination, request.Nomination);

        // RFC 7675: each authenticated check renews consent.
        if (_consentTimeoutMs != 0 && (State == IceState.Connected || State == IceState.Completed))
            _consentDeadlineMs = nowMs + _consentTimeoutMs;

        return IceStunResult.Success;
    }

    private static int Error(in StunMessage request, Span<byte> responseOut, int code, ReadOnlySpan<byte> reason) =>
        StunWriter.WriteErrorResponse(responseOut, request.Method, request.TransactionId, code, reason);

    /// <summary>
    /// The state machine of a valid check. Without USE-CANDIDATE or NOMINATION the tuple is only
    /// stored, and from new/disconnected becomes the selected one in 'connected'. With
    /// USE-CANDIDATE (regular nomination, RFC 8445 §8.1.1), or a NOMINATION above the last one
    /// (renomination), it becomes selected in 'completed'. Quirks kept from mediasoup: a
    /// NOMINATION that is not newer stores the tuple without any transition, even alongside
    /// USE-CANDIDATE, except in 'completed' where USE-CANDIDATE alone re-selects.
    /// </summary>
    private void HandleTuple(in IceTuple tuple, bool useCandidate, bool hasNomination, uint nomination)
    {
        int index = AddTuple(tuple);
        bool nominated = useCandidate || hasNomination;
        bool newNomination = hasNomination && nomination > _remoteNomination;

        switch (State)
        {
            case IceState.New:
            case IceState.Disconnected:
                if (!nominated)
                {
                    State = IceState.Connected;
                    SetSelected(index);
                    _listener.OnIceStateChanged(IceState.Connected);
                }
                else if (newNomination || !hasNomination)
                {
                    State = IceState.Completed;
                    SetSelected(index);
                    if (newNomination)
                        _remoteNomination = nomination;
                    _listener.OnIceStateChanged(IceState.Completed);
                }
                break;

            case IceState.Connected:
                if (nominated && (newNomination || !hasNomination))
                {
                    State = IceState.Completed;
                    SetSelected(index);
                    if (newNomination)
                        _remoteNomination = nomination;
                    _listener.OnIceStateChanged(IceState.Completed);
                }
                break;

            case IceState.Completed:
                if (nominated && (newNomination || useCandidate))
                {
                    SetSelected(index);
                    if (newNomination)
                        _remoteNomination = nomination;
                }
                break;
        }
    }

    // ------------------------------------------------------------------ tuples

    private int IndexOf(in IceTuple tuple)
    {
        for (int i = 0; i < _tupleCount; i++)
        {
            if (_tuples[i].Equals(tuple))
                return i;
        }
        return -1;
    }

    /// <summary>Stores the tuple if new (evicting the oldest that is neither it nor the
    /// selected one beyond <see cref="MaxTuples"/>) and returns its index.</summary>
    private int AddTuple(in IceTuple tuple)
    {
        int index = IndexOf(tuple);
        if (index >= 0)
            return index;

        _tuples[_tupleCount] = tuple;
        index = _tupleCount++;
        bool evicted = false;
        IceTuple victim = default;
        if (_tupleCount > MaxTuples)
        {
            for (int i = 0; i < _tupleCount; i++)
            {
                if (i != index && i != _selected)
                {
                    victim = _tuples[i];
                    RemoveAt(i);
                    if (index > i)
                        index--;
                    evicted = true;
                    break;
                }
            }
        }

        _listener.OnIceTupleAdded(tuple);
        if (evicted)
            NotifyRemoved(victim);
        return index;
    }

    private void RemoveAt(int index)
    {
        Array.Copy(_tuples, index + 1, _tuples, index, _tupleCount - index - 1);
        _tuples[--_tupleCount] = default;
        if (_selected == index)
            _selected = -1;
        else if (_selected > index)
            _selected--;
    }

    private void NotifyRemoved(in IceTuple tuple)
    {
        _removingTuples = true;
        try
        {
            _listener.OnIceTupleRemoved(tuple);
        }
        finally
        {
            _removingTuples = false;
        }
    }

    private void SetSelected(int index)
    {
        if (index == _selected)
            return;
        _selected = index;
        _listener.OnIceSelectedTupleChanged(_tuples[index]);
    }

    /// <summary>
    /// The tuple is gone (its TCP connection closed). If it was the selected one, the newest
    /// remaining tuple takes over (consent renewed, so the peer has time to check it), or,
    /// with none left, the state becomes disconnected. Ignored for unknown tuples and while
    /// the server itself is removing tuples.
    /// </summary>
    public void RemoveTuple(in IceTuple tuple, long nowMs)
    {
        if (_removingTuples || _closed)
            return;
        int index = IndexOf(tuple);
        if (index < 0)
            return;

        IceTuple removed = _tuples[index];
        bool wasSelected = index == _selected;
        RemoveAt(index);
        NotifyRemoved(removed);
        if (!wasSelected)
            return;

        if ((State == IceState.Connected || State == IceState.Completed) && _tupleCount > 0)
        {
            SetSelected(_tupleCount - 1);
            if (_consentTimeoutMs != 0)
                _consentDeadlineMs = nowMs + _consentTimeoutMs;
        }
        else
        {
            State = IceState.Disconnected;
            _remoteNomination = 0;
            _consentDeadlineMs = NoDeadline;
            _listener.OnIceStateChanged(IceState.Disconnected);
        }
    }

    /// <summary>
    /// DTLS or RTP arrived on a valid tuple while connected/completed: make it the selected one,
    /// for peers that switch paths without nominating again (aggressive nomination). False when
    /// nothing was done (wrong state or unknown tuple).
    /// </summary>
    public bool ForceSelectedTuple(in IceTuple tuple)
    {
        if (_closed || (State != IceState.Connected && State != IceState.Completed))
            return false;
        int index = IndexOf(tuple);
        if (index < 0)
            return false;
        SetSelected(index);
        return true;
    }

    // ------------------------------------------------------------------ credentials, consent, close

    /// <summary>
    /// New local credentials (RFC 8445 §9). The previous ones keep working until a request
    /// authenticates with the new ones; an even older pair still pending is dropped now. The
    /// nomination counter restarts and a running consent timer is renewed, giving the peer
    /// time to redo its checks.
    /// </summary>
    public void RestartIce(string usernameFragment, string password, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(usernameFragment);
        ArgumentNullException.ThrowIfNull(password);
        if (_closed)
            return;
        string? dropped = _oldUfrag;
        _oldUfrag = _ufrag;
        _oldPassword = _password;
        _oldUfragBytes = _ufragBytes;
        _oldPasswordBytes = _passwordBytes;
        _ufrag = usernameFragment;
        _password = password;
        _ufragBytes = Encoding.UTF8.GetBytes(usernameFragment);
        _passwordBytes = Encoding.UTF8.GetBytes(password);
        _remoteNomination = 0;

        if (dropped != null)
            _listener.OnIceUsernameFragmentRemoved(dropped);
        _listener.OnIceUsernameFragmentAdded(usernameFragment);

        if (_consentTimeoutMs != 0 && _consentDeadlineMs != NoDeadline)
            _consentDeadlineMs = nowMs + _consentTimeoutMs;
    }

    /// <summary>
    /// Runs what is due at <paramref name="nowMs"/>: when consent has lapsed (no valid check
    /// for the timeout, RFC 7675 §5.1) the state becomes disconnected and every tuple is dropped.
    /// </summary>
    public void OnTimer(long nowMs)
    {
        if (_closed || _consentDeadlineMs == NoDeadline || nowMs < _consentDeadlineMs)
            return;
        _consentDeadlineMs = NoDeadline;
        State = IceState.Disconnected;
        _remoteNomination = 0;
        DropAllTuples();
        _listener.OnIceStateChanged(IceState.Disconnected);
    }

    private void DropAllTuples()
    {
        Span<IceTuple> dropped = stackalloc IceTuple[MaxTuples + 1];
        int count = _tupleCount;
        _tuples.AsSpan(0, count).CopyTo(dropped);
        _tuples.AsSpan(0, count).Clear();
        _tupleCount = 0;
        _selected = -1;
        for (int i = 0; i < count; i++)
            NotifyRemoved(dropped[i]);
    }

    /// <summary>
    /// The transport is closing: reports every username fragment and tuple as removed (so a
    /// shared server forgets them and TCP connections close), then ignores all further input.
    /// </summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _consentDeadlineMs = NoDeadline;
        _listener.OnIceUsernameFragmentRemoved(_ufrag);
        if (_oldUfrag != null)
            _listener.OnIceUsernameFragmentRemoved(_oldUfrag);
        DropAllTuples();
    }
}
