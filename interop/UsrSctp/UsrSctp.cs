using System.Runtime.InteropServices;

namespace Mediasoup.Interop.UsrSctp;

// Blittable mirrors of usrsctp.h (0.9.5, linux-x64). Sizes and offsets are checked against the
// header by tests/Worker.Tests/Sctp/usrsctp_layout.c (UsrSctpLayoutTests).

/// <summary>struct sockaddr_conn (Linux variant, no length byte): 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrConn
{
    public ushort Family;
    /// <summary>Network byte order.</summary>
    public ushort Port;
    public nint Addr;
}

/// <summary>union sctp_sockstore, passed by value to the receive callback: 32 bytes, 8-aligned.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct SctpSockStore
{
    [FieldOffset(0)] public SockAddrConn Conn;
}

/// <summary>struct sctp_rcvinfo, passed by value to the receive callback: 28 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpRcvInfo
{
    public ushort Sid;
    public ushort Ssn;
    public ushort Flags;
    /// <summary>Network byte order, as on the wire.</summary>
    public uint Ppid;
    public uint Tsn;
    public uint CumTsn;
    public uint Context;
    public uint AssocId;
}

/// <summary>struct sctp_sndinfo: 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpSndInfo
{
    public ushort Sid;
    public ushort Flags;
    /// <summary>Network byte order.</summary>
    public uint Ppid;
    public uint Context;
    public uint AssocId;
}

/// <summary>struct sctp_prinfo: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpPrInfo
{
    public ushort Policy;
    public uint Value;
}

/// <summary>struct sctp_sendv_spa: 32 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpSendvSpa
{
    public uint Flags;
    public SctpSndInfo SndInfo;
    public SctpPrInfo PrInfo;
    public ushort AuthKeyNumber;
}

/// <summary>struct sctp_initmsg: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpInitMsg
{
    public ushort NumOstreams;
    public ushort MaxInstreams;
    public ushort MaxAttempts;
    public ushort MaxInitTimeo;
}

/// <summary>struct sctp_assoc_value: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpAssocValue
{
    public uint AssocId;
    public uint Value;
}

/// <summary>struct sctp_event: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpEvent
{
    public uint AssocId;
    public ushort Type;
    public byte On;
}

/// <summary>struct sctp_paddrparams: 152 bytes (sockaddr_storage first).</summary>
[StructLayout(LayoutKind.Explicit, Size = 152)]
internal struct SctpPaddrParams
{
    [FieldOffset(0)] public SockAddrConn Address;
    [FieldOffset(128)] public uint AssocId;
    [FieldOffset(132)] public uint HbInterval;
    [FieldOffset(136)] public uint PathMtu;
    [FieldOffset(140)] public uint Flags;
    [FieldOffset(144)] public uint Ipv6FlowLabel;
    [FieldOffset(148)] public ushort PathMaxRxt;
    [FieldOffset(150)] public byte Dscp;
}

/// <summary>struct linger: 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Linger
{
    public int OnOff;
    public int Seconds;
}

/// <summary>The head of struct sctp_reset_streams; the stream list (uint16 each) follows at offset 8.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SctpResetStreamsHeader
{
    public uint AssocId;
    public ushort Flags;
    public ushort NumberStreams;
}

/// <summary>
/// Byte offsets inside notifications (union sctp_notification), read from the buffer the
/// receive callback gets. Host byte order except where noted.
/// </summary>
internal static class SctpNotificationLayout
{
    public const int HeaderSize = 8;          // sn_type u16, sn_flags u16, sn_length u32
    public const int TypeOffset = 0;
    public const int FlagsOffset = 2;
    public const int LengthOffset = 4;

    public const int AssocChangeSize = 20;    // fixed part; sac_info follows
    public const int AssocChangeState = 8;
    public const int AssocChangeError = 10;
    public const int AssocChangeOutboundStreams = 12;
    public const int AssocChangeInboundStreams = 14;

    public const int StreamResetSize = 12;    // fixed part; uint16 stream list follows
    public const int StreamResetList = 12;

    public const int SendFailedSize = 32;     // fixed part; the unsent data follows
    public const int SendFailedError = 8;
    public const int SendFailedSid = 12;      // ssfe_info.snd_sid
    public const int SendFailedPpid = 16;     // ssfe_info.snd_ppid (network order)

    public const int RemoteErrorError = 8;    // sre_error (network order)

    public const int PdapiIndication = 8;
    public const int PdapiStream = 12;
    public const int PdapiSeq = 16;

    public const int StreamChangeInStreams = 12;
    public const int StreamChangeOutStreams = 14;
}

/// <summary>The usrsctp entry points the worker uses. Errors come back in errno (SetLastError).</summary>
internal static unsafe partial class UsrSctp
{
    // Address family and socket constants (Linux values for SOL_SOCKET/SO_*, which usrsctp uses as is).
    public const int AF_CONN = 123;
    public const int SOCK_STREAM = 1;
    public const int IPPROTO_SCTP = 132;
    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_LINGER = 13;

    public const int MSG_EOR = 0x80;
    public const int MSG_NOTIFICATION = 0x2000;

    public const int EWOULDBLOCK = 11;
    public const int ENOBUFS = 105;
    public const int EINPROGRESS = 115;
    public const int EALREADY = 114;
    public const int EMSGSIZE = 90;

    // Socket options (IPPROTO_SCTP level).
    public const int SCTP_INITMSG = 0x03;
    public const int SCTP_NODELAY = 0x04;
    public const int SCTP_PEER_ADDR_PARAMS = 0x0a;
    public const int SCTP_EVENT = 0x1e;
    public const int SCTP_ENABLE_STREAM_RESET = 0x900;
    public const int SCTP_RESET_STREAMS = 0x901;

    public const uint SCTP_FUTURE_ASSOC = 0;
    public const uint SCTP_ENABLE_RESET_STREAM_REQ = 0x1;
    public const uint SPP_PMTUD_DISABLE = 0x10;

    // Notification types.
    public const ushort SCTP_ASSOC_CHANGE = 0x0001;
    public const ushort SCTP_PEER_ADDR_CHANGE = 0x0002;
    public const ushort SCTP_REMOTE_ERROR = 0x0003;
    public const ushort SCTP_SHUTDOWN_EVENT = 0x0005;
    public const ushort SCTP_ADAPTATION_INDICATION = 0x0006;
    public const ushort SCTP_PARTIAL_DELIVERY_EVENT = 0x0007;
    public const ushort SCTP_SENDER_DRY_EVENT = 0x000a;
    public const ushort SCTP_STREAM_RESET_EVENT = 0x0009;
    public const ushort SCTP_STREAM_CHANGE_EVENT = 0x000d;
    public const ushort SCTP_SEND_FAILED_EVENT = 0x000e;

    // sac_state values.
    public const ushort SCTP_COMM_UP = 1;
    public const ushort SCTP_COMM_LOST = 2;
    public const ushort SCTP_RESTART = 3;
    public const ushort SCTP_SHUTDOWN_COMP = 4;
    public const ushort SCTP_CANT_STR_ASSOC = 5;

    // strreset_flags.
    public const ushort SCTP_STREAM_RESET_INCOMING_SSN = 0x0001;
    public const ushort SCTP_STREAM_RESET_OUTGOING_SSN = 0x0002;
    public const ushort SCTP_STREAM_RESET_DENIED = 0x0004;
    public const ushort SCTP_STREAM_RESET_FAILED = 0x0008;
    public const ushort SCTP_STREAM_RESET_OUTGOING = 0x0002;

    // sendv.
    public const uint SCTP_SENDV_SPA = 4;
    public const uint SCTP_SEND_SNDINFO_VALID = 0x1;
    public const uint SCTP_SEND_PRINFO_VALID = 0x2;
    public const ushort SCTP_UNORDERED = 0x0400;
    public const ushort SCTP_EOR = 0x2000;
    public const ushort SCTP_PR_SCTP_NONE = 0;
    public const ushort SCTP_PR_SCTP_TTL = 1;
    public const ushort SCTP_PR_SCTP_RTX = 3;

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_init_nothreads")]
    public static partial void InitNoThreads(
        ushort udpPort,
        delegate* unmanaged<nint, void*, nuint, byte, byte, int> connOutput,
        nint debugPrintf);

    /// <summary>Tears the stack down: 0, or -1 while sockets still exist (nothing is freed then).</summary>
    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_finish")]
    public static partial int Finish();

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_socket", SetLastError = true)]
    public static partial nint Socket(
        int domain, int type, int protocol,
        delegate* unmanaged<nint, SctpSockStore, void*, nuint, SctpRcvInfo, int, nint, int> receiveCb,
        delegate* unmanaged<nint, uint, nint, int> sendCb,
        uint sbThreshold,
        nint ulpInfo);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(nint so, int level, int optionName, void* optionValue, uint optionLen);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(nint so, int level, int optionName, void* optionValue, uint* optionLen);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_set_non_blocking", SetLastError = true)]
    public static partial int SetNonBlocking(nint so, int onOff);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_bind", SetLastError = true)]
    public static partial int Bind(nint so, SockAddrConn* name, uint nameLen);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_connect", SetLastError = true)]
    public static partial int Connect(nint so, SockAddrConn* name, uint nameLen);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sendv", SetLastError = true)]
    public static partial nint SendV(
        nint so, void* data, nuint len, SockAddrConn* to, int addrCount,
        void* info, uint infoLen, uint infoType, int flags);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_recvv", SetLastError = true)]
    public static partial nint RecvV(
        nint so, void* dbuf, nuint len, SockAddrConn* from, uint* fromLen,
        void* info, uint* infoLen, uint* infoType, int* msgFlags);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_shutdown", SetLastError = true)]
    public static partial int Shutdown(nint so, int how);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_close")]
    public static partial void Close(nint so);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_conninput")]
    public static partial void ConnInput(nint addr, void* buffer, nuint length, byte ecnBits);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_register_address")]
    public static partial void RegisterAddress(nint addr);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_deregister_address")]
    public static partial void DeregisterAddress(nint addr);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_handle_timers")]
    public static partial void HandleTimers(uint elapsedMilliseconds);

    /// <summary>The finished CRC32c of a packet whose checksum field is zero; memcpy it into bytes 8..11.</summary>
    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_crc32c")]
    public static partial uint Crc32c(void* buffer, nuint length);

    // sysctls (each returns 0, or -1 with errno EINVAL when the value is out of range).
    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_ecn_enable")]
    public static partial int SysctlSetEcnEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_pr_enable")]
    public static partial int SysctlSetPrEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_reconfig_enable")]
    public static partial int SysctlSetReconfigEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_asconf_enable")]
    public static partial int SysctlSetAsconfEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_auth_enable")]
    public static partial int SysctlSetAuthEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_nrsack_enable")]
    public static partial int SysctlSetNrSackEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_pktdrop_enable")]
    public static partial int SysctlSetPktDropEnable(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_max_chunks_on_queue")]
    public static partial int SysctlSetMaxChunksOnQueue(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_rto_initial_default")]
    public static partial int SysctlSetRtoInitialDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_rto_min_default")]
    public static partial int SysctlSetRtoMinDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_rto_max_default")]
    public static partial int SysctlSetRtoMaxDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_init_rto_max_default")]
    public static partial int SysctlSetInitRtoMaxDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_init_rtx_max_default")]
    public static partial int SysctlSetInitRtxMaxDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_assoc_rtx_max_default")]
    public static partial int SysctlSetAssocRtxMaxDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_path_rtx_max_default")]
    public static partial int SysctlSetPathRtxMaxDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_heartbeat_interval_default")]
    public static partial int SysctlSetHeartbeatIntervalDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_delayed_sack_time_default")]
    public static partial int SysctlSetDelayedSackTimeDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_initial_cwnd")]
    public static partial int SysctlSetInitialCwnd(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_set_sctp_max_burst_default")]
    public static partial int SysctlSetMaxBurstDefault(uint value);

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_get_sctp_ecn_enable")]
    public static partial uint SysctlGetEcnEnable();

    [LibraryImport(Libraries.UsrSctp, EntryPoint = "usrsctp_sysctl_get_sctp_pr_enable")]
    public static partial uint SysctlGetPrEnable();
}
