using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mediasoup.Interop.UsrSctp;
using Xunit;

namespace Mediasoup.Tests.Sctp;

/// <summary>
/// The C# mirrors of usrsctp.h must match the installed header: compile usrsctp_layout.c
/// with gcc and compare sizes, offsets and constants.
/// </summary>
public sealed unsafe class UsrSctpLayoutTests
{
    [Fact]
    public void Structs_MatchCHeaderLayout()
    {
        Dictionary<string, (long Offset, long Size)> c = CompileAndRunLayoutProgram();

        void Size(string name, int size) => Assert.True(c[name].Size == size, $"sizeof {name}: C {c[name].Size}, C# {size}");
        void Field(string name, long offset, long size) =>
            Assert.True(c[name] == (offset, size), $"{name}: C {c[name]}, C# {(offset, size)}");

        Size("sockaddr_conn", sizeof(SockAddrConn));
        SockAddrConn conn = default;
        Field("sockaddr_conn.port", (byte*)&conn.Port - (byte*)&conn, 2);
        Field("sockaddr_conn.addr", (byte*)&conn.Addr - (byte*)&conn, 8);

        Size("sctp_sockstore", sizeof(SctpSockStore));
        Assert.Equal(8, c["sctp_sockstore.align"].Size);
        Size("sctp_rcvinfo", sizeof(SctpRcvInfo));
        SctpRcvInfo rcv = default;
        Field("sctp_rcvinfo.ppid", (byte*)&rcv.Ppid - (byte*)&rcv, 4);
        Field("sctp_rcvinfo.assoc_id", (byte*)&rcv.AssocId - (byte*)&rcv, 4);

        Size("sctp_sndinfo", sizeof(SctpSndInfo));
        Size("sctp_prinfo", sizeof(SctpPrInfo));
        SctpPrInfo pr = default;
        Field("sctp_prinfo.value", (byte*)&pr.Value - (byte*)&pr, 4);
        Size("sctp_sendv_spa", sizeof(SctpSendvSpa));
        SctpSendvSpa spa = default;
        Field("sctp_sendv_spa.sndinfo", (byte*)&spa.SndInfo - (byte*)&spa, sizeof(SctpSndInfo));
        Field("sctp_sendv_spa.prinfo", (byte*)&spa.PrInfo - (byte*)&spa, sizeof(SctpPrInfo));
        Field("sctp_sendv_spa.authinfo", (byte*)&spa.AuthKeyNumber - (byte*)&spa, 2);

        Size("sctp_initmsg", sizeof(SctpInitMsg));
        Size("sctp_assoc_value", sizeof(SctpAssocValue));
        Size("sctp_event", sizeof(SctpEvent));
        SctpEvent ev = default;
        Field("sctp_event.on", (byte*)&ev.On - (byte*)&ev, 1);

        Size("sctp_paddrparams", sizeof(SctpPaddrParams));
        SctpPaddrParams pp = default;
        byte* b = (byte*)&pp;
        Field("sctp_paddrparams.assoc_id", (byte*)&pp.AssocId - b, 4);
        Field("sctp_paddrparams.hbinterval", (byte*)&pp.HbInterval - b, 4);
        Field("sctp_paddrparams.pathmtu", (byte*)&pp.PathMtu - b, 4);
        Field("sctp_paddrparams.flags", (byte*)&pp.Flags - b, 4);
        Field("sctp_paddrparams.flowlabel", (byte*)&pp.Ipv6FlowLabel - b, 4);
        Field("sctp_paddrparams.pathmaxrxt", (byte*)&pp.PathMaxRxt - b, 2);
        Field("sctp_paddrparams.dscp", (byte*)&pp.Dscp - b, 1);

        Size("linger", sizeof(Linger));
        Size("sctp_reset_streams", sizeof(SctpResetStreamsHeader));
        SctpResetStreamsHeader rs = default;
        Field("sctp_reset_streams.flags", (byte*)&rs.Flags - (byte*)&rs, 2);
        Field("sctp_reset_streams.number", (byte*)&rs.NumberStreams - (byte*)&rs, 2);
        Assert.Equal(sizeof(SctpResetStreamsHeader), c["sctp_reset_streams.list"].Offset);

        // Notification offsets the association reads.
        Assert.Equal(SctpNotificationLayout.AssocChangeSize, c["sctp_assoc_change"].Size);
        Assert.Equal(SctpNotificationLayout.AssocChangeState, c["sac_state"].Offset);
        Assert.Equal(SctpNotificationLayout.AssocChangeError, c["sac_error"].Offset);
        Assert.Equal(SctpNotificationLayout.AssocChangeOutboundStreams, c["sac_outbound_streams"].Offset);
        Assert.Equal(SctpNotificationLayout.AssocChangeInboundStreams, c["sac_inbound_streams"].Offset);
        Assert.Equal(SctpNotificationLayout.StreamResetSize, c["sctp_stream_reset_event"].Size);
        Assert.Equal(SctpNotificationLayout.StreamResetList, c["strreset_stream_list"].Offset);
        Assert.Equal(SctpNotificationLayout.SendFailedSize, c["sctp_send_failed_event"].Size);
        Assert.Equal(SctpNotificationLayout.SendFailedError, c["ssfe_error"].Offset);
        Assert.Equal(SctpNotificationLayout.SendFailedSid, c["ssfe_info.snd_sid"].Offset);
        Assert.Equal(SctpNotificationLayout.SendFailedPpid, c["ssfe_info.snd_ppid"].Offset);
        Assert.Equal(SctpNotificationLayout.RemoteErrorError, c["sre_error"].Offset);
        Assert.Equal(SctpNotificationLayout.PdapiIndication, c["pdapi_indication"].Offset);
        Assert.Equal(SctpNotificationLayout.PdapiStream, c["pdapi_stream"].Offset);
        Assert.Equal(SctpNotificationLayout.PdapiSeq, c["pdapi_seq"].Offset);
        Assert.Equal(SctpNotificationLayout.StreamChangeInStreams, c["strchange_instrms"].Offset);
        Assert.Equal(SctpNotificationLayout.StreamChangeOutStreams, c["strchange_outstrms"].Offset);

        // Constants.
        var constants = new Dictionary<string, long>
        {
            ["AF_CONN"] = UsrSctp.AF_CONN,
            ["SOCK_STREAM"] = UsrSctp.SOCK_STREAM,
            ["IPPROTO_SCTP"] = UsrSctp.IPPROTO_SCTP,
            ["SOL_SOCKET"] = UsrSctp.SOL_SOCKET,
            ["SO_SNDBUF"] = UsrSctp.SO_SNDBUF,
            ["SO_RCVBUF"] = UsrSctp.SO_RCVBUF,
            ["SO_LINGER"] = UsrSctp.SO_LINGER,
            ["MSG_EOR"] = UsrSctp.MSG_EOR,
            ["MSG_NOTIFICATION"] = UsrSctp.MSG_NOTIFICATION,
            ["EWOULDBLOCK"] = UsrSctp.EWOULDBLOCK,
            ["ENOBUFS"] = UsrSctp.ENOBUFS,
            ["EINPROGRESS"] = UsrSctp.EINPROGRESS,
            ["EALREADY"] = UsrSctp.EALREADY,
            ["EMSGSIZE"] = UsrSctp.EMSGSIZE,
            ["SCTP_INITMSG"] = UsrSctp.SCTP_INITMSG,
            ["SCTP_NODELAY"] = UsrSctp.SCTP_NODELAY,
            ["SCTP_PEER_ADDR_PARAMS"] = UsrSctp.SCTP_PEER_ADDR_PARAMS,
            ["SCTP_EVENT"] = UsrSctp.SCTP_EVENT,
            ["SCTP_ENABLE_STREAM_RESET"] = UsrSctp.SCTP_ENABLE_STREAM_RESET,
            ["SCTP_RESET_STREAMS"] = UsrSctp.SCTP_RESET_STREAMS,
            ["SCTP_FUTURE_ASSOC"] = UsrSctp.SCTP_FUTURE_ASSOC,
            ["SCTP_ENABLE_RESET_STREAM_REQ"] = UsrSctp.SCTP_ENABLE_RESET_STREAM_REQ,
            ["SPP_PMTUD_DISABLE"] = UsrSctp.SPP_PMTUD_DISABLE,
            ["SCTP_ASSOC_CHANGE"] = UsrSctp.SCTP_ASSOC_CHANGE,
            ["SCTP_PEER_ADDR_CHANGE"] = UsrSctp.SCTP_PEER_ADDR_CHANGE,
            ["SCTP_REMOTE_ERROR"] = UsrSctp.SCTP_REMOTE_ERROR,
            ["SCTP_SHUTDOWN_EVENT"] = UsrSctp.SCTP_SHUTDOWN_EVENT,
            ["SCTP_ADAPTATION_INDICATION"] = UsrSctp.SCTP_ADAPTATION_INDICATION,
            ["SCTP_PARTIAL_DELIVERY_EVENT"] = UsrSctp.SCTP_PARTIAL_DELIVERY_EVENT,
            ["SCTP_SENDER_DRY_EVENT"] = UsrSctp.SCTP_SENDER_DRY_EVENT,
            ["SCTP_STREAM_RESET_EVENT"] = UsrSctp.SCTP_STREAM_RESET_EVENT,
            ["SCTP_STREAM_CHANGE_EVENT"] = UsrSctp.SCTP_STREAM_CHANGE_EVENT,
            ["SCTP_SEND_FAILED_EVENT"] = UsrSctp.SCTP_SEND_FAILED_EVENT,
            ["SCTP_COMM_UP"] = UsrSctp.SCTP_COMM_UP,
            ["SCTP_COMM_LOST"] = UsrSctp.SCTP_COMM_LOST,
            ["SCTP_RESTART"] = UsrSctp.SCTP_RESTART,
            ["SCTP_SHUTDOWN_COMP"] = UsrSctp.SCTP_SHUTDOWN_COMP,
            ["SCTP_CANT_STR_ASSOC"] = UsrSctp.SCTP_CANT_STR_ASSOC,
            ["SCTP_STREAM_RESET_INCOMING_SSN"] = UsrSctp.SCTP_STREAM_RESET_INCOMING_SSN,
            ["SCTP_STREAM_RESET_OUTGOING_SSN"] = UsrSctp.SCTP_STREAM_RESET_OUTGOING_SSN,
            ["SCTP_STREAM_RESET_DENIED"] = UsrSctp.SCTP_STREAM_RESET_DENIED,
            ["SCTP_STREAM_RESET_FAILED"] = UsrSctp.SCTP_STREAM_RESET_FAILED,
            ["SCTP_STREAM_RESET_OUTGOING"] = UsrSctp.SCTP_STREAM_RESET_OUTGOING,
            ["SCTP_SENDV_SPA"] = UsrSctp.SCTP_SENDV_SPA,
            ["SCTP_SEND_SNDINFO_VALID"] = UsrSctp.SCTP_SEND_SNDINFO_VALID,
            ["SCTP_SEND_PRINFO_VALID"] = UsrSctp.SCTP_SEND_PRINFO_VALID,
            ["SCTP_UNORDERED"] = UsrSctp.SCTP_UNORDERED,
            ["SCTP_EOR"] = UsrSctp.SCTP_EOR,
            ["SCTP_PR_SCTP_NONE"] = UsrSctp.SCTP_PR_SCTP_NONE,
            ["SCTP_PR_SCTP_TTL"] = UsrSctp.SCTP_PR_SCTP_TTL,
            ["SCTP_PR_SCTP_RTX"] = UsrSctp.SCTP_PR_SCTP_RTX,
        };
        foreach ((string name, long value) in constants)
            Assert.True(c[name].Offset == value, $"{name}: C {c[name].Offset}, C# {value}");
    }

    private static Dictionary<string, (long, long)> CompileAndRunLayoutProgram([CallerFilePath] string thisFile = "")
    {
        string source = Path.Combine(Path.GetDirectoryName(thisFile)!, "usrsctp_layout.c");
        string dir = Directory.CreateTempSubdirectory("usrsctp-layout-").FullName;
        try
        {
            string exe = Path.Combine(dir, "layout");
            Run("gcc", "-Wall", "-Werror", "-o", exe, source);
            var result = new Dictionary<string, (long, long)>();
            foreach (string line in Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split(' ');
                result[parts[0]] = (long.Parse(parts[1]), long.Parse(parts[2]));
            }
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {stderr.Result}");
        return stdout;
    }
}
