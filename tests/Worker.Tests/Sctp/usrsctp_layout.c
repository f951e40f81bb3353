/* Prints what the C compiler sees in usrsctp.h: "name offset size" for struct fields
 * and "name value 0" for constants. UsrSctpLayoutTests compares it with the C# mirrors. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <usrsctp.h>

#define SIZE(name, type) printf("%s 0 %zu\n", name, sizeof(type))
#define ALIGN(name, type) printf("%s 0 %zu\n", name, _Alignof(type))
#define FIELD(name, type, member) \
    printf("%s %zu %zu\n", name, offsetof(type, member), sizeof(((type *)0)->member))
#define OFFSET(name, type, member) printf("%s %zu 0\n", name, offsetof(type, member))
#define CONST(name) printf("%s %ld 0\n", #name, (long)(name))

int main(void)
{
    SIZE("sockaddr_conn", struct sockaddr_conn);
    FIELD("sockaddr_conn.port", struct sockaddr_conn, sconn_port);
    FIELD("sockaddr_conn.addr", struct sockaddr_conn, sconn_addr);
    SIZE("sctp_sockstore", union sctp_sockstore);
    ALIGN("sctp_sockstore.align", union sctp_sockstore);
    SIZE("sctp_rcvinfo", struct sctp_rcvinfo);
    FIELD("sctp_rcvinfo.ppid", struct sctp_rcvinfo, rcv_ppid);
    FIELD("sctp_rcvinfo.assoc_id", struct sctp_rcvinfo, rcv_assoc_id);
    SIZE("sctp_sndinfo", struct sctp_sndinfo);
    SIZE("sctp_prinfo", struct sctp_prinfo);
    FIELD("sctp_prinfo.value", struct sctp_prinfo, pr_value);
    SIZE("sctp_sendv_spa", struct sctp_sendv_spa);
    FIELD("sctp_sendv_spa.sndinfo", struct sctp_sendv_spa, sendv_sndinfo);
    FIELD("sctp_sendv_spa.prinfo", struct sctp_sendv_spa, sendv_prinfo);
    FIELD("sctp_sendv_spa.authinfo", struct sctp_sendv_spa, sendv_authinfo);
    SIZE("sctp_initmsg", struct sctp_initmsg);
    SIZE("sctp_assoc_value", struct sctp_assoc_value);
    SIZE("sctp_event", struct sctp_event);
    FIELD("sctp_event.on", struct sctp_event, se_on);
    SIZE("sctp_paddrparams", struct sctp_paddrparams);
    FIELD("sctp_paddrparams.assoc_id", struct sctp_paddrparams, spp_assoc_id);
    FIELD("sctp_paddrparams.hbinterval", struct sctp_paddrparams, spp_hbinterval);
    FIELD("sctp_paddrparams.pathmtu", struct sctp_paddrparams, spp_pathmtu);
    FIELD("sctp_paddrparams.flags", struct sctp_paddrparams, spp_flags);
    FIELD("sctp_paddrparams.flowlabel", struct sctp_paddrparams, spp_ipv6_flowlabel);
    FIELD("sctp_paddrparams.pathmaxrxt", struct sctp_paddrparams, spp_pathmaxrxt);
    FIELD("sctp_paddrparams.dscp", struct sctp_paddrparams, spp_dscp);
    SIZE("linger", struct linger);
    SIZE("sctp_reset_streams", struct sctp_reset_streams);
    FIELD("sctp_reset_streams.flags", struct sctp_reset_streams, srs_flags);
    FIELD("sctp_reset_streams.number", struct sctp_reset_streams, srs_number_streams);
    OFFSET("sctp_reset_streams.list", struct sctp_reset_streams, srs_stream_list);

    SIZE("sctp_assoc_change", struct sctp_assoc_change);
    FIELD("sac_state", struct sctp_assoc_change, sac_state);
    FIELD("sac_error", struct sctp_assoc_change, sac_error);
    FIELD("sac_outbound_streams", struct sctp_assoc_change, sac_outbound_streams);
    FIELD("sac_inbound_streams", struct sctp_assoc_change, sac_inbound_streams);
    SIZE("sctp_stream_reset_event", struct sctp_stream_reset_event);
    OFFSET("strreset_stream_list", struct sctp_stream_reset_event, strreset_stream_list);
    SIZE("sctp_send_failed_event", struct sctp_send_failed_event);
    FIELD("ssfe_error", struct sctp_send_failed_event, ssfe_error);
    FIELD("ssfe_info.snd_sid", struct sctp_send_failed_event, ssfe_info.snd_sid);
    FIELD("ssfe_info.snd_ppid", struct sctp_send_failed_event, ssfe_info.snd_ppid);
    FIELD("sre_error", struct sctp_remote_error, sre_error);
    FIELD("pdapi_indication", struct sctp_pdapi_event, pdapi_indication);
    FIELD("pdapi_stream", struct sctp_pdapi_event, pdapi_stream);
    FIELD("pdapi_seq", struct sctp_pdapi_event, pdapi_seq);
    FIELD("strchange_instrms", struct sctp_stream_change_event, strchange_instrms);
    FIELD("strchange_outstrms", struct sctp_stream_change_event, strchange_outstrms);

    CONST(AF_CONN);
    CONST(SOCK_STREAM);
    CONST(IPPROTO_SCTP);
    CONST(SOL_SOCKET);
    CONST(SO_SNDBUF);
    CONST(SO_RCVBUF);
    CONST(SO_LINGER);
    CONST(MSG_EOR);
    CONST(MSG_NOTIFICATION);
    CONST(EWOULDBLOCK);
    CONST(ENOBUFS);
    CONST(EINPROGRESS);
    CONST(EALREADY);
    CONST(EMSGSIZE);
    CONST(SCTP_INITMSG);
    CONST(SCTP_NODELAY);
    CONST(SCTP_PEER_ADDR_PARAMS);
    CONST(SCTP_EVENT);
    CONST(SCTP_ENABLE_STREAM_RESET);
    CONST(SCTP_RESET_STREAMS);
    CONST(SCTP_FUTURE_ASSOC);
    CONST(SCTP_ENABLE_RESET_STREAM_REQ);
    CONST(SPP_PMTUD_DISABLE);
    CONST(SCTP_ASSOC_CHANGE);
    CONST(SCTP_PEER_ADDR_CHANGE);
    CONST(SCTP_REMOTE_ERROR);
    CONST(SCTP_SHUTDOWN_EVENT);
    CONST(SCTP_ADAPTATION_INDICATION);
    CONST(SCTP_PARTIAL_DELIVERY_EVENT);
    CONST(SCTP_SENDER_DRY_EVENT);
    CONST(SCTP_STREAM_RESET_EVENT);
    CONST(SCTP_STREAM_CHANGE_EVENT);
    CONST(SCTP_SEND_FAILED_EVENT);
    CONST(SCTP_COMM_UP);
    CONST(SCTP_COMM_LOST);
    CONST(SCTP_RESTART);
    CONST(SCTP_SHUTDOWN_COMP);
    CONST(SCTP_CANT_STR_ASSOC);
    CONST(SCTP_STREAM_RESET_INCOMING_SSN);
    CONST(SCTP_STREAM_RESET_OUTGOING_SSN);
    CONST(SCTP_STREAM_RESET_DENIED);
    CONST(SCTP_STREAM_RESET_FAILED);
    CONST(SCTP_STREAM_RESET_OUTGOING);
    CONST(SCTP_SENDV_SPA);
    CONST(SCTP_SEND_SNDINFO_VALID);
    CONST(SCTP_SEND_PRINFO_VALID);
    CONST(SCTP_UNORDERED);
    CONST(SCTP_EOR);
    CONST(SCTP_PR_SCTP_NONE);
    CONST(SCTP_PR_SCTP_TTL);
    CONST(SCTP_PR_SCTP_RTX);
    return 0;
}
