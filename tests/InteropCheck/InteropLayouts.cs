using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Interop.LibSrtp;
using Mediasoup.Interop.Native;
using Mediasoup.Interop.OpenSsl;
using Mediasoup.Interop.UsrSctp;
using Mediasoup.Net;
using UringDecl = Mediasoup.Interop.Uring.Uring;

namespace Mediasoup.InteropCheck;

/// <summary>
/// The C# side of the interop layout check: every size, offset and constant the C# interop
/// declares for a C struct, keyed as native/msw_layout.c keys the C compiler's answer.
/// Compiled into the xunit tests (x64, JIT) and into the InteropCheck executable (NativeAOT,
/// run under emulation for arm64), so the same comparison runs on both architectures.
/// </summary>
internal static unsafe class InteropLayouts
{
    private static long D(void* start, void* field) => (byte*)field - (byte*)start;

    /// <summary>(key, value the C# declaration implies). A key may appear more than once
    /// when two C# declarations mirror the same C struct.</summary>
    public static List<(string Key, long Value)> Managed()
    {
        var m = new List<(string, long)>();
        void Add(string key, long value) => m.Add((key, value));

        Libc.EpollEvent ev;
        Add("struct epoll_event", sizeof(Libc.EpollEvent));
        Add("struct epoll_event.events", D(&ev, &ev.Events));
        Add("struct epoll_event.data", D(&ev, &ev.Data));

        Sockets.IoVec iov;
        Add("struct iovec", sizeof(Sockets.IoVec));
        Add("struct iovec.iov_base", D(&iov, &iov.Base));
        Add("struct iovec.iov_len", D(&iov, &iov.Length));

        Sockets.MsgHdr mh;
        Add("struct msghdr", sizeof(Sockets.MsgHdr));
        Add("struct msghdr.msg_name", D(&mh, &mh.Name));
        Add("struct msghdr.msg_namelen", D(&mh, &mh.NameLen));
        Add("struct msghdr.msg_iov", D(&mh, &mh.Iov));
        Add("struct msghdr.msg_iovlen", D(&mh, &mh.IovLen));
        Add("struct msghdr.msg_control", D(&mh, &mh.Control));
        Add("struct msghdr.msg_controllen", D(&mh, &mh.ControlLen));
        Add("struct msghdr.msg_flags", D(&mh, &mh.Flags));

        Sockets.MMsgHdr mm;
        Add("struct mmsghdr", sizeof(Sockets.MMsgHdr));
        Add("struct mmsghdr.msg_hdr", D(&mm, &mm.Hdr));
        Add("struct mmsghdr.msg_len", D(&mm, &mm.Len));

        Sockets.CMsgHdr cm;
        Add("struct cmsghdr", sizeof(Sockets.CMsgHdr));
        Add("struct cmsghdr.cmsg_len", D(&cm, &cm.Len));
        Add("struct cmsghdr.cmsg_level", D(&cm, &cm.Level));
        Add("struct cmsghdr.cmsg_type", D(&cm, &cm.Type));
        Add("CMSG_LEN(2)", Sockets.CMsgLenUInt16);
        Add("CMSG_SPACE(2)", Sockets.CMsgSpaceUInt16);

        // sockaddr_in / sockaddr_in6: IpEndpoint holds either; SockAddrStorage is sized for both.
        Add("struct sockaddr_in", IpEndpoint.V4Length);
        Add("struct sockaddr_in.sin_family", 0);
        Add("struct sockaddr_in.sin_port", IpEndpoint.PortOffset);
        Add("struct sockaddr_in.sin_addr", IpEndpoint.V4AddressOffset);
        Add("struct sockaddr_in6", IpEndpoint.V6Length);
        Add("struct sockaddr_in6", sizeof(IpEndpoint));
        Add("struct sockaddr_in6", sizeof(Sockets.SockAddrStorage));
        Add("struct sockaddr_in6.sin6_family", 0);
        Add("struct sockaddr_in6.sin6_port", IpEndpoint.PortOffset);
        Add("struct sockaddr_in6.sin6_flowinfo", IpEndpoint.V4AddressOffset);
        Add("struct sockaddr_in6.sin6_addr", IpEndpoint.V6AddressOffset);
        Add("struct sockaddr_in6.sin6_scope_id", IpEndpoint.V6AddressOffset + 16);

        Libc.Timeval tv;
        Add("struct timeval", sizeof(Libc.Timeval));
        Add("struct timeval.tv_sec", D(&tv, &tv.Sec));
        Add("struct timeval.tv_usec", D(&tv, &tv.Usec));
        LibSsl.TimeVal stv;
        Add("struct timeval", sizeof(LibSsl.TimeVal));
        Add("struct timeval.tv_sec", D(&stv, &stv.Seconds));
        Add("struct timeval.tv_usec", D(&stv, &stv.Microseconds));
        Libc.Timespec ts;
        Add("struct timespec", sizeof(Libc.Timespec));
        Add("struct timespec.tv_sec", D(&ts, &ts.Sec));
        Add("struct timespec.tv_nsec", D(&ts, &ts.Nsec));
        Libc.Rusage ru;
        Add("struct rusage", sizeof(Libc.Rusage));
        Add("struct rusage.ru_maxrss", D(&ru, &ru.Maxrss));
        Add("struct rusage.ru_nsignals", D(&ru, &ru.Nsignals));
        Add("struct rusage.ru_nivcsw", D(&ru, &ru.Nivcsw));
        Add("struct statx", Libc.StatxSize);
        Add("struct statx.stx_mode", Libc.StatxModeOffset);
        Linger lg;
        Add("struct linger", sizeof(Linger));
        Add("struct linger.l_onoff", D(&lg, &lg.OnOff));
        Add("struct linger.l_linger", D(&lg, &lg.Seconds));

        Libc.PollFd pfd;
        Add("struct pollfd", sizeof(Libc.PollFd));
        Add("struct pollfd.fd", D(&pfd, &pfd.Fd));
        Add("struct pollfd.events", D(&pfd, &pfd.Events));
        Add("struct pollfd.revents", D(&pfd, &pfd.REvents));
        Add("POLLIN", Libc.POLLIN);
        Add("POLLERR", Libc.POLLERR);
        Add("POLLHUP", Libc.POLLHUP);

        Add("EINTR", Libc.EINTR);
        Add("EAGAIN", Libc.EAGAIN);
        Add("EWOULDBLOCK", UsrSctp.EWOULDBLOCK);
        Add("EBADF", Libc.EBADF);
        Add("EADDRINUSE", Libc.EADDRINUSE);
        Add("EINPROGRESS", Libc.EINPROGRESS);
        Add("EINPROGRESS", UsrSctp.EINPROGRESS);
        Add("ECONNRESET", Libc.ECONNRESET);
        Add("EPIPE", Libc.EPIPE);
        Add("ENOBUFS", Libc.ENOBUFS);
        Add("ENOBUFS", UsrSctp.ENOBUFS);
        Add("ECANCELED", Libc.ECANCELED);
        Add("EIO", Libc.EIO);
        Add("EINVAL", Libc.EINVAL);
        Add("ENOPROTOOPT", Libc.ENOPROTOOPT);
        Add("EOPNOTSUPP", Libc.EOPNOTSUPP);
        Add("EALREADY", UsrSctp.EALREADY);
        Add("EMSGSIZE", UsrSctp.EMSGSIZE);
        Add("O_NONBLOCK", Libc.O_NONBLOCK);
        Add("O_CLOEXEC", Libc.O_CLOEXEC);
        Add("F_GETFL", Libc.F_GETFL);
        Add("F_SETFL", Libc.F_SETFL);
        Add("EPOLLIN", Libc.EPOLLIN);
        Add("EPOLLOUT", Libc.EPOLLOUT);
        Add("EPOLLERR", Libc.EPOLLERR);
        Add("EPOLLHUP", Libc.EPOLLHUP);
        Add("EPOLLRDHUP", Libc.EPOLLRDHUP);
        Add("EPOLLET", Libc.EPOLLET);
        Add("EPOLL_CTL_ADD", Libc.EPOLL_CTL_ADD);
        Add("EPOLL_CTL_DEL", Libc.EPOLL_CTL_DEL);
        Add("EPOLL_CTL_MOD", Libc.EPOLL_CTL_MOD);
        Add("EPOLL_CLOEXEC", Libc.EPOLL_CLOEXEC);
        Add("EFD_CLOEXEC", Libc.EFD_CLOEXEC);
        Add("EFD_NONBLOCK", Libc.EFD_NONBLOCK);
        Add("SIGHUP", Libc.SIGHUP);
        Add("SIGINT", Libc.SIGINT);
        Add("SIGUSR1", Libc.SIGUSR1);
        Add("SIGUSR2", Libc.SIGUSR2);
        Add("SIGPIPE", Libc.SIGPIPE);
        Add("SIGALRM", Libc.SIGALRM);
        Add("SIGTERM", Libc.SIGTERM);
        Add("RUSAGE_SELF", Libc.RUSAGE_SELF);
        Add("CLOCK_MONOTONIC", Libc.CLOCK_MONOTONIC);
        Add("AT_FDCWD", Libc.AT_FDCWD);
        Add("STATX_TYPE", Libc.STATX_TYPE);
        Add("AF_INET", Sockets.AF_INET);
        Add("AF_INET6", Sockets.AF_INET6);
        Add("SOCK_STREAM", Sockets.SOCK_STREAM);
        Add("SOCK_STREAM", UsrSctp.SOCK_STREAM);
        Add("SOCK_DGRAM", Sockets.SOCK_DGRAM);
        Add("SOCK_NONBLOCK", Sockets.SOCK_NONBLOCK);
        Add("SOCK_CLOEXEC", Sockets.SOCK_CLOEXEC);
        Add("IPPROTO_TCP", Sockets.IPPROTO_TCP);
        Add("IPPROTO_UDP", Sockets.IPPROTO_UDP);
        Add("IPPROTO_IPV6", Sockets.IPPROTO_IPV6);
        Add("SOL_SOCKET", Sockets.SOL_SOCKET);
        Add("SOL_SOCKET", UsrSctp.SOL_SOCKET);
        Add("SO_REUSEADDR", Sockets.SO_REUSEADDR);
        Add("SO_SNDBUF", Sockets.SO_SNDBUF);
        Add("SO_SNDBUF", UsrSctp.SO_SNDBUF);
        Add("SO_RCVBUF", Sockets.SO_RCVBUF);
        Add("SO_RCVBUF", UsrSctp.SO_RCVBUF);
        Add("SO_REUSEPORT", Sockets.SO_REUSEPORT);
        Add("SO_LINGER", UsrSctp.SO_LINGER);
        Add("IPV6_V6ONLY", Sockets.IPV6_V6ONLY);
        Add("TCP_NODELAY", Sockets.TCP_NODELAY);
        Add("MSG_DONTWAIT", Sockets.MSG_DONTWAIT);
        Add("MSG_TRUNC", Sockets.MSG_TRUNC);
        Add("SOL_UDP", Sockets.SOL_UDP);
        Add("UDP_SEGMENT", Sockets.UDP_SEGMENT);
        Add("MSG_EOR", UsrSctp.MSG_EOR);
        Add("MSG_NOTIFICATION", UsrSctp.MSG_NOTIFICATION);

        UringDecl.Event ue;
        Add("msw_uring_event", sizeof(UringDecl.Event));
        Add("msw_uring_event.token", D(&ue, &ue.Token));
        Add("msw_uring_event.res", D(&ue, &ue.Result));
        Add("msw_uring_event.flags", D(&ue, &ue.Flags));
        UringDecl.Buf ub;
        Add("struct io_uring_buf", sizeof(UringDecl.Buf));
        Add("struct io_uring_buf.addr", D(&ub, &ub.Addr));
        Add("struct io_uring_buf.len", D(&ub, &ub.Len));
        Add("struct io_uring_buf.bid", D(&ub, &ub.Bid));
        Add("struct io_uring_buf.resv", D(&ub, &ub.Resv));
        Add("struct io_uring_buf_ring.tail", UringDecl.BufRingTailOffset);
        UringDecl.RecvMsgOut ro;
        Add("struct io_uring_recvmsg_out", sizeof(UringDecl.RecvMsgOut));
        Add("struct io_uring_recvmsg_out.namelen", D(&ro, &ro.NameLen));
        Add("struct io_uring_recvmsg_out.controllen", D(&ro, &ro.ControlLen));
        Add("struct io_uring_recvmsg_out.payloadlen", D(&ro, &ro.PayloadLen));
        Add("struct io_uring_recvmsg_out.flags", D(&ro, &ro.Flags));
        Add("IORING_CQE_F_BUFFER", UringDecl.CqeFBuffer);
        Add("IORING_CQE_F_MORE", UringDecl.CqeFMore);
        Add("IORING_CQE_BUFFER_SHIFT", UringDecl.CqeBufferShift);

        SockAddrConn sc;
        Add("struct sockaddr_conn", sizeof(SockAddrConn));
        Add("struct sockaddr_conn.sconn_family", D(&sc, &sc.Family));
        Add("struct sockaddr_conn.sconn_port", D(&sc, &sc.Port));
        Add("struct sockaddr_conn.sconn_addr", D(&sc, &sc.Addr));
        Add("union sctp_sockstore", sizeof(SctpSockStore));
        SctpRcvInfo ri;
        Add("struct sctp_rcvinfo", sizeof(SctpRcvInfo));
        Add("struct sctp_rcvinfo.rcv_sid", D(&ri, &ri.Sid));
        Add("struct sctp_rcvinfo.rcv_ssn", D(&ri, &ri.Ssn));
        Add("struct sctp_rcvinfo.rcv_flags", D(&ri, &ri.Flags));
        Add("struct sctp_rcvinfo.rcv_ppid", D(&ri, &ri.Ppid));
        Add("struct sctp_rcvinfo.rcv_tsn", D(&ri, &ri.Tsn));
        Add("struct sctp_rcvinfo.rcv_cumtsn", D(&ri, &ri.CumTsn));
        Add("struct sctp_rcvinfo.rcv_context", D(&ri, &ri.Context));
        Add("struct sctp_rcvinfo.rcv_assoc_id", D(&ri, &ri.AssocId));
        SctpSndInfo si;
        Add("struct sctp_sndinfo", sizeof(SctpSndInfo));
        Add("struct sctp_sndinfo.snd_sid", D(&si, &si.Sid));
        Add("struct sctp_sndinfo.snd_flags", D(&si, &si.Flags));
        Add("struct sctp_sndinfo.snd_ppid", D(&si, &si.Ppid));
        Add("struct sctp_sndinfo.snd_context", D(&si, &si.Context));
        Add("struct sctp_sndinfo.snd_assoc_id", D(&si, &si.AssocId));
        SctpPrInfo pi;
        Add("struct sctp_prinfo", sizeof(SctpPrInfo));
        Add("struct sctp_prinfo.pr_policy", D(&pi, &pi.Policy));
        Add("struct sctp_prinfo.pr_value", D(&pi, &pi.Value));
        SctpSendvSpa spa;
        Add("struct sctp_sendv_spa", sizeof(SctpSendvSpa));
        Add("struct sctp_sendv_spa.sendv_flags", D(&spa, &spa.Flags));
        Add("struct sctp_sendv_spa.sendv_sndinfo", D(&spa, &spa.SndInfo));
        Add("struct sctp_sendv_spa.sendv_prinfo", D(&spa, &spa.PrInfo));
        Add("struct sctp_sendv_spa.sendv_authinfo", D(&spa, &spa.AuthKeyNumber));
        SctpInitMsg im;
        Add("struct sctp_initmsg", sizeof(SctpInitMsg));
        Add("struct sctp_initmsg.sinit_num_ostreams", D(&im, &im.NumOstreams));
        Add("struct sctp_initmsg.sinit_max_instreams", D(&im, &im.MaxInstreams));
        Add("struct sctp_initmsg.sinit_max_attempts", D(&im, &im.MaxAttempts));
        Add("struct sctp_initmsg.sinit_max_init_timeo", D(&im, &im.MaxInitTimeo));
        SctpAssocValue av;
        Add("struct sctp_assoc_value", sizeof(SctpAssocValue));
        Add("struct sctp_assoc_value.assoc_id", D(&av, &av.AssocId));
        Add("struct sctp_assoc_value.assoc_value", D(&av, &av.Value));
        SctpEvent se;
        Add("struct sctp_event", sizeof(SctpEvent));
        Add("struct sctp_event.se_assoc_id", D(&se, &se.AssocId));
        Add("struct sctp_event.se_type", D(&se, &se.Type));
        Add("struct sctp_event.se_on", D(&se, &se.On));
        SctpPaddrParams pp;
        Add("struct sctp_paddrparams", sizeof(SctpPaddrParams));
        Add("struct sctp_paddrparams.spp_address", D(&pp, &pp.Address));
        Add("struct sctp_paddrparams.spp_assoc_id", D(&pp, &pp.AssocId));
        Add("struct sctp_paddrparams.spp_hbinterval", D(&pp, &pp.HbInterval));
        Add("struct sctp_paddrparams.spp_pathmtu", D(&pp, &pp.PathMtu));
        Add("struct sctp_paddrparams.spp_flags", D(&pp, &pp.Flags));
        Add("struct sctp_paddrparams.spp_ipv6_flowlabel", D(&pp, &pp.Ipv6FlowLabel));
        Add("struct sctp_paddrparams.spp_pathmaxrxt", D(&pp, &pp.PathMaxRxt));
        Add("struct sctp_paddrparams.spp_dscp", D(&pp, &pp.Dscp));
        SctpResetStreamsHeader rs;
        Add("struct sctp_reset_streams.srs_assoc_id", D(&rs, &rs.AssocId));
        Add("struct sctp_reset_streams.srs_flags", D(&rs, &rs.Flags));
        Add("struct sctp_reset_streams.srs_number_streams", D(&rs, &rs.NumberStreams));
        Add("struct sctp_reset_streams.srs_stream_list", sizeof(SctpResetStreamsHeader));

        Add("struct sctp_tlv", SctpNotificationLayout.HeaderSize);
        Add("struct sctp_tlv.sn_type", SctpNotificationLayout.TypeOffset);
        Add("struct sctp_tlv.sn_flags", SctpNotificationLayout.FlagsOffset);
        Add("struct sctp_tlv.sn_length", SctpNotificationLayout.LengthOffset);
        Add("struct sctp_assoc_change.sac_state", SctpNotificationLayout.AssocChangeState);
        Add("struct sctp_assoc_change.sac_error", SctpNotificationLayout.AssocChangeError);
        Add("struct sctp_assoc_change.sac_outbound_streams", SctpNotificationLayout.AssocChangeOutboundStreams);
        Add("struct sctp_assoc_change.sac_inbound_streams", SctpNotificationLayout.AssocChangeInboundStreams);
        Add("struct sctp_assoc_change.sac_info", SctpNotificationLayout.AssocChangeSize);
        Add("struct sctp_stream_reset_event.strreset_stream_list", SctpNotificationLayout.StreamResetList);
        Add("struct sctp_stream_reset_event.strreset_stream_list", SctpNotificationLayout.StreamResetSize);
        Add("struct sctp_send_failed_event.ssfe_error", SctpNotificationLayout.SendFailedError);
        Add("struct sctp_send_failed_event.ssfe_info", SctpNotificationLayout.SendFailedSid);
        Add("struct sctp_sndinfo.snd_ppid", SctpNotificationLayout.SendFailedPpid - SctpNotificationLayout.SendFailedSid);
        Add("struct sctp_send_failed_event.ssfe_data", SctpNotificationLayout.SendFailedSize);
        Add("struct sctp_remote_error.sre_error", SctpNotificationLayout.RemoteErrorError);
        Add("struct sctp_pdapi_event.pdapi_indication", SctpNotificationLayout.PdapiIndication);
        Add("struct sctp_pdapi_event.pdapi_stream", SctpNotificationLayout.PdapiStream);
        Add("struct sctp_pdapi_event.pdapi_seq", SctpNotificationLayout.PdapiSeq);
        Add("struct sctp_stream_change_event.strchange_instrms", SctpNotificationLayout.StreamChangeInStreams);
        Add("struct sctp_stream_change_event.strchange_outstrms", SctpNotificationLayout.StreamChangeOutStreams);
        Add("AF_CONN", UsrSctp.AF_CONN);
        Add("IPPROTO_SCTP", UsrSctp.IPPROTO_SCTP);
        Add("SCTP_INITMSG", UsrSctp.SCTP_INITMSG);
        Add("SCTP_NODELAY", UsrSctp.SCTP_NODELAY);
        Add("SCTP_PEER_ADDR_PARAMS", UsrSctp.SCTP_PEER_ADDR_PARAMS);
        Add("SCTP_EVENT", UsrSctp.SCTP_EVENT);
        Add("SCTP_ENABLE_STREAM_RESET", UsrSctp.SCTP_ENABLE_STREAM_RESET);
        Add("SCTP_RESET_STREAMS", UsrSctp.SCTP_RESET_STREAMS);
        Add("SCTP_FUTURE_ASSOC", UsrSctp.SCTP_FUTURE_ASSOC);
        Add("SCTP_ENABLE_RESET_STREAM_REQ", UsrSctp.SCTP_ENABLE_RESET_STREAM_REQ);
        Add("SPP_PMTUD_DISABLE", UsrSctp.SPP_PMTUD_DISABLE);
        Add("SCTP_SENDV_SPA", UsrSctp.SCTP_SENDV_SPA);

        LibSsl.SrtpProtectionProfile spp;
        Add("SRTP_PROTECTION_PROFILE", sizeof(LibSsl.SrtpProtectionProfile));
        Add("SRTP_PROTECTION_PROFILE.name", D(&spp, &spp.Name));
        Add("SRTP_PROTECTION_PROFILE.id", D(&spp, &spp.Id));
        OsslParam op;
        Add("OSSL_PARAM", sizeof(OsslParam));
        Add("OSSL_PARAM.key", D(&op, &op.Key));
        Add("OSSL_PARAM.data_type", D(&op, &op.DataType));
        Add("OSSL_PARAM.data", D(&op, &op.Data));
        Add("OSSL_PARAM.data_size", D(&op, &op.DataSize));
        Add("OSSL_PARAM.return_size", D(&op, &op.ReturnSize));
        Add("OSSL_PARAM_UTF8_STRING", OsslParam.Utf8String);
        Sha1State sha;
        Add("SHA_CTX", sizeof(Sha1State));
        Add("SHA_CTX.h0", D(&sha, sha.H));
        Add("SHA_CTX.Nl", D(&sha, &sha.Nl));
        Add("SHA_CTX.Nh", D(&sha, &sha.Nh));
        Add("SHA_CTX.data", D(&sha, sha.Data));
        Add("SHA_CTX.num", D(&sha, &sha.Num));

        SrtpCryptoPolicy cp;
        Add("srtp_crypto_policy_t", sizeof(SrtpCryptoPolicy));
        Add("srtp_crypto_policy_t.cipher_type", D(&cp, &cp.CipherType));
        Add("srtp_crypto_policy_t.cipher_key_len", D(&cp, &cp.CipherKeyLen));
        Add("srtp_crypto_policy_t.auth_type", D(&cp, &cp.AuthType));
        Add("srtp_crypto_policy_t.auth_key_len", D(&cp, &cp.AuthKeyLen));
        Add("srtp_crypto_policy_t.auth_tag_len", D(&cp, &cp.AuthTagLen));
        Add("srtp_crypto_policy_t.sec_serv", D(&cp, &cp.SecServ));
        SrtpPolicy sp;
        Add("srtp_policy_t", sizeof(SrtpPolicy));
        Add("srtp_policy_t.ssrc", D(&sp, &sp.SsrcType));
        Add("srtp_policy_t.ssrc.value", D(&sp, &sp.SsrcValue));
        Add("srtp_policy_t.rtp", D(&sp, &sp.Rtp));
        Add("srtp_policy_t.rtcp", D(&sp, &sp.Rtcp));
        Add("srtp_policy_t.key", D(&sp, &sp.Key));
        Add("srtp_policy_t.keys", D(&sp, &sp.Keys));
        Add("srtp_policy_t.num_master_keys", D(&sp, &sp.NumMasterKeys));
        Add("srtp_policy_t.deprecated_ekt", D(&sp, &sp.DeprecatedEkt));
        Add("srtp_policy_t.window_size", D(&sp, &sp.WindowSize));
        Add("srtp_policy_t.allow_repeat_tx", D(&sp, &sp.AllowRepeatTx));
        Add("srtp_policy_t.enc_xtn_hdr", D(&sp, &sp.EncXtnHdr));
        Add("srtp_policy_t.enc_xtn_hdr_count", D(&sp, &sp.EncXtnHdrCount));
        Add("srtp_policy_t.next", D(&sp, &sp.Next));

        LayoutTable.Entry le;
        Add("msw_layout_entry", sizeof(LayoutTable.Entry));
        Add("msw_layout_entry.name", D(&le, &le.Name));
        Add("msw_layout_entry.value", D(&le, &le.Value));
        return m;
    }

    /// <summary>The shim's table for this build's target.</summary>
    public static Dictionary<string, long> Native()
    {
        var table = new Dictionary<string, long>();
        int n = LayoutTable.Count();
        for (int i = 0; i < n; i++)
        {
            LayoutTable.Entry* e = LayoutTable.Get(i);
            table.Add(Marshal.PtrToStringUTF8((nint)e->Name)!, e->Value);
        }
        return table;
    }

    /// <summary>Every disagreement, one line each; empty when the C# declarations match the C
    /// compiler on every key and every C key has a C# counterpart.</summary>
    public static List<string> Compare(out int checkedCount)
    {
        Dictionary<string, long> native = Native();
        List<(string Key, long Value)> managed = Managed();
        var problems = new List<string>();
        var seen = new HashSet<string>();
        foreach ((string key, long value) in managed)
        {
            seen.Add(key);
            if (!native.TryGetValue(key, out long c))
                problems.Add($"{key}: declared in C# ({value}) but not in native/msw_layout.c");
            else if (c != value)
                problems.Add($"{key}: C says {c}, C# says {value}");
        }
        foreach (string key in native.Keys)
        {
            if (!seen.Contains(key))
                problems.Add($"{key}: in native/msw_layout.c ({native[key]}) but nothing in C# is checked against it");
        }
        checkedCount = managed.Count;
        return problems;
    }
}
