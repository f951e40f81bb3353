/* The layouts and constants of the C structs the C# interop mirrors, as this target's C
 * compiler sees them. The C# side (tests/InteropCheck/InteropLayouts.cs) asks for each key
 * and compares it with its own declaration; every key here must have a C# counterpart, so
 * a struct added on either side without the other fails the check. Built for every RID, so
 * the same comparison runs on x64 natively and on arm64 under emulation. */
#define _GNU_SOURCE
#include "msw_native.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <openssl/core.h>
#include <openssl/sha.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <srtp2/srtp.h>
#include <stddef.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <usrsctp.h>

#define SIZE(type) { #type, (int64_t)sizeof(type) }
#define OFF(type, field) { #type "." #field, (int64_t)offsetof(type, field) }
#define VALUE(name) { #name, (int64_t)(name) }

static const msw_layout_entry entries[] = {
	/* libc: epoll, sockets, datagram batches, GSO control messages */
	SIZE(struct epoll_event), OFF(struct epoll_event, events), OFF(struct epoll_event, data),
	SIZE(struct iovec), OFF(struct iovec, iov_base), OFF(struct iovec, iov_len),
	SIZE(struct msghdr), OFF(struct msghdr, msg_name), OFF(struct msghdr, msg_namelen),
	OFF(struct msghdr, msg_iov), OFF(struct msghdr, msg_iovlen), OFF(struct msghdr, msg_control),
	OFF(struct msghdr, msg_controllen), OFF(struct msghdr, msg_flags),
	SIZE(struct mmsghdr), OFF(struct mmsghdr, msg_hdr), OFF(struct mmsghdr, msg_len),
	SIZE(struct cmsghdr), OFF(struct cmsghdr, cmsg_len), OFF(struct cmsghdr, cmsg_level),
	OFF(struct cmsghdr, cmsg_type),
	{ "CMSG_LEN(2)", (int64_t)CMSG_LEN(2) }, { "CMSG_SPACE(2)", (int64_t)CMSG_SPACE(2) },
	SIZE(struct sockaddr_in), OFF(struct sockaddr_in, sin_family), OFF(struct sockaddr_in, sin_port),
	OFF(struct sockaddr_in, sin_addr),
	SIZE(struct sockaddr_in6), OFF(struct sockaddr_in6, sin6_family), OFF(struct sockaddr_in6, sin6_port),
	OFF(struct sockaddr_in6, sin6_flowinfo), OFF(struct sockaddr_in6, sin6_addr),
	OFF(struct sockaddr_in6, sin6_scope_id),
	SIZE(struct timeval), OFF(struct timeval, tv_sec), OFF(struct timeval, tv_usec),
	SIZE(struct timespec), OFF(struct timespec, tv_sec), OFF(struct timespec, tv_nsec),
	SIZE(struct rusage), OFF(struct rusage, ru_maxrss), OFF(struct rusage, ru_nsignals),
	OFF(struct rusage, ru_nivcsw),
	SIZE(struct statx), OFF(struct statx, stx_mode),
	SIZE(struct linger), OFF(struct linger, l_onoff), OFF(struct linger, l_linger),
	SIZE(struct pollfd), OFF(struct pollfd, fd), OFF(struct pollfd, events), OFF(struct pollfd, revents),
	VALUE(POLLIN), VALUE(POLLERR), VALUE(POLLHUP),

	/* libc constants the C# declares by value */
	VALUE(EINTR), VALUE(EAGAIN), VALUE(EBADF), VALUE(EADDRINUSE), VALUE(EINPROGRESS),
	VALUE(ECONNRESET), VALUE(EPIPE), VALUE(ENOBUFS), VALUE(ECANCELED), VALUE(EIO), VALUE(EINVAL),
	VALUE(ENOPROTOOPT), VALUE(EOPNOTSUPP), VALUE(EALREADY), VALUE(EMSGSIZE), VALUE(EWOULDBLOCK),
	VALUE(O_NONBLOCK), VALUE(O_CLOEXEC), VALUE(F_GETFL), VALUE(F_SETFL),
	VALUE(EPOLLIN), VALUE(EPOLLOUT), VALUE(EPOLLERR), VALUE(EPOLLHUP), VALUE(EPOLLRDHUP),
	VALUE(EPOLLET), VALUE(EPOLL_CTL_ADD), VALUE(EPOLL_CTL_DEL), VALUE(EPOLL_CTL_MOD),
	VALUE(EPOLL_CLOEXEC), VALUE(EFD_CLOEXEC), VALUE(EFD_NONBLOCK),
	VALUE(SIGHUP), VALUE(SIGINT), VALUE(SIGUSR1), VALUE(SIGUSR2), VALUE(SIGPIPE), VALUE(SIGALRM),
	VALUE(SIGTERM), VALUE(RUSAGE_SELF), VALUE(CLOCK_MONOTONIC), VALUE(AT_FDCWD), VALUE(STATX_TYPE),
	VALUE(AF_INET), VALUE(AF_INET6), VALUE(SOCK_STREAM), VALUE(SOCK_DGRAM), VALUE(SOCK_NONBLOCK),
	VALUE(SOCK_CLOEXEC), VALUE(IPPROTO_TCP), VALUE(IPPROTO_UDP), VALUE(IPPROTO_IPV6),
	VALUE(SOL_SOCKET), VALUE(SO_REUSEADDR), VALUE(SO_SNDBUF), VALUE(SO_RCVBUF), VALUE(SO_REUSEPORT),
	VALUE(SO_LINGER), VALUE(IPV6_V6ONLY), VALUE(TCP_NODELAY), VALUE(MSG_DONTWAIT), VALUE(MSG_TRUNC),
	VALUE(SOL_UDP), VALUE(UDP_SEGMENT), VALUE(MSG_EOR), VALUE(MSG_NOTIFICATION),

	/* io_uring: the shim's completion record and the kernel's provided-buffer structures */
	SIZE(msw_uring_event), OFF(msw_uring_event, token), OFF(msw_uring_event, res),
	OFF(msw_uring_event, flags),
	SIZE(struct io_uring_buf), OFF(struct io_uring_buf, addr), OFF(struct io_uring_buf, len),
	OFF(struct io_uring_buf, bid), OFF(struct io_uring_buf, resv),
	OFF(struct io_uring_buf_ring, tail),
	SIZE(struct io_uring_recvmsg_out), OFF(struct io_uring_recvmsg_out, namelen),
	OFF(struct io_uring_recvmsg_out, controllen), OFF(struct io_uring_recvmsg_out, payloadlen),
	OFF(struct io_uring_recvmsg_out, flags),
	VALUE(IORING_CQE_F_BUFFER), VALUE(IORING_CQE_F_MORE), VALUE(IORING_CQE_BUFFER_SHIFT),

	/* usrsctp */
	SIZE(struct sockaddr_conn), OFF(struct sockaddr_conn, sconn_family),
	OFF(struct sockaddr_conn, sconn_port), OFF(struct sockaddr_conn, sconn_addr),
	SIZE(union sctp_sockstore),
	SIZE(struct sctp_rcvinfo), OFF(struct sctp_rcvinfo, rcv_sid), OFF(struct sctp_rcvinfo, rcv_ssn),
	OFF(struct sctp_rcvinfo, rcv_flags), OFF(struct sctp_rcvinfo, rcv_ppid),
	OFF(struct sctp_rcvinfo, rcv_tsn), OFF(struct sctp_rcvinfo, rcv_cumtsn),
	OFF(struct sctp_rcvinfo, rcv_context), OFF(struct sctp_rcvinfo, rcv_assoc_id),
	SIZE(struct sctp_sndinfo), OFF(struct sctp_sndinfo, snd_sid), OFF(struct sctp_sndinfo, snd_flags),
	OFF(struct sctp_sndinfo, snd_ppid), OFF(struct sctp_sndinfo, snd_context),
	OFF(struct sctp_sndinfo, snd_assoc_id),
	SIZE(struct sctp_prinfo), OFF(struct sctp_prinfo, pr_policy), OFF(struct sctp_prinfo, pr_value),
	SIZE(struct sctp_sendv_spa), OFF(struct sctp_sendv_spa, sendv_flags),
	OFF(struct sctp_sendv_spa, sendv_sndinfo), OFF(struct sctp_sendv_spa, sendv_prinfo),
	OFF(struct sctp_sendv_spa, sendv_authinfo),
	SIZE(struct sctp_initmsg), OFF(struct sctp_initmsg, sinit_num_ostreams),
	OFF(struct sctp_initmsg, sinit_max_instreams), OFF(struct sctp_initmsg, sinit_max_attempts),
	OFF(struct sctp_initmsg, sinit_max_init_timeo),
	SIZE(struct sctp_assoc_value), OFF(struct sctp_assoc_value, assoc_id),
	OFF(struct sctp_assoc_value, assoc_value),
	SIZE(struct sctp_event), OFF(struct sctp_event, se_assoc_id), OFF(struct sctp_event, se_type),
	OFF(struct sctp_event, se_on),
	SIZE(struct sctp_paddrparams), OFF(struct sctp_paddrparams, spp_address),
	OFF(struct sctp_paddrparams, spp_assoc_id), OFF(struct sctp_paddrparams, spp_hbinterval),
	OFF(struct sctp_paddrparams, spp_pathmtu), OFF(struct sctp_paddrparams, spp_flags),
	OFF(struct sctp_paddrparams, spp_ipv6_flowlabel), OFF(struct sctp_paddrparams, spp_pathmaxrxt),
	OFF(struct sctp_paddrparams, spp_dscp),
	OFF(struct sctp_reset_streams, srs_assoc_id), OFF(struct sctp_reset_streams, srs_flags),
	OFF(struct sctp_reset_streams, srs_number_streams), OFF(struct sctp_reset_streams, srs_stream_list),
	/* notifications, read at byte offsets */
	SIZE(struct sctp_tlv), OFF(struct sctp_tlv, sn_type), OFF(struct sctp_tlv, sn_flags),
	OFF(struct sctp_tlv, sn_length),
	OFF(struct sctp_assoc_change, sac_state), OFF(struct sctp_assoc_change, sac_error),
	OFF(struct sctp_assoc_change, sac_outbound_streams), OFF(struct sctp_assoc_change, sac_inbound_streams),
	OFF(struct sctp_assoc_change, sac_info),
	OFF(struct sctp_stream_reset_event, strreset_stream_list),
	OFF(struct sctp_send_failed_event, ssfe_error), OFF(struct sctp_send_failed_event, ssfe_info),
	OFF(struct sctp_send_failed_event, ssfe_data),
	OFF(struct sctp_remote_error, sre_error),
	OFF(struct sctp_pdapi_event, pdapi_indication), OFF(struct sctp_pdapi_event, pdapi_stream),
	OFF(struct sctp_pdapi_event, pdapi_seq),
	OFF(struct sctp_stream_change_event, strchange_instrms),
	OFF(struct sctp_stream_change_event, strchange_outstrms),
	VALUE(AF_CONN), VALUE(IPPROTO_SCTP), VALUE(SCTP_INITMSG), VALUE(SCTP_NODELAY),
	VALUE(SCTP_PEER_ADDR_PARAMS), VALUE(SCTP_EVENT), VALUE(SCTP_ENABLE_STREAM_RESET),
	VALUE(SCTP_RESET_STREAMS), VALUE(SCTP_FUTURE_ASSOC), VALUE(SCTP_ENABLE_RESET_STREAM_REQ),
	VALUE(SPP_PMTUD_DISABLE), VALUE(SCTP_SENDV_SPA),

	/* OpenSSL */
	SIZE(SRTP_PROTECTION_PROFILE), OFF(SRTP_PROTECTION_PROFILE, name), OFF(SRTP_PROTECTION_PROFILE, id),
	SIZE(OSSL_PARAM), OFF(OSSL_PARAM, key), OFF(OSSL_PARAM, data_type), OFF(OSSL_PARAM, data),
	OFF(OSSL_PARAM, data_size), OFF(OSSL_PARAM, return_size), VALUE(OSSL_PARAM_UTF8_STRING),
	SIZE(SHA_CTX), OFF(SHA_CTX, h0), OFF(SHA_CTX, Nl), OFF(SHA_CTX, Nh), OFF(SHA_CTX, data),
	OFF(SHA_CTX, num),

	/* libsrtp2 */
	SIZE(srtp_crypto_policy_t), OFF(srtp_crypto_policy_t, cipher_type),
	OFF(srtp_crypto_policy_t, cipher_key_len), OFF(srtp_crypto_policy_t, auth_type),
	OFF(srtp_crypto_policy_t, auth_key_len), OFF(srtp_crypto_policy_t, auth_tag_len),
	OFF(srtp_crypto_policy_t, sec_serv),
	SIZE(srtp_policy_t), OFF(srtp_policy_t, ssrc), OFF(srtp_policy_t, rtp), OFF(srtp_policy_t, rtcp),
	OFF(srtp_policy_t, key), OFF(srtp_policy_t, keys), OFF(srtp_policy_t, num_master_keys),
	OFF(srtp_policy_t, deprecated_ekt), OFF(srtp_policy_t, window_size),
	OFF(srtp_policy_t, allow_repeat_tx), OFF(srtp_policy_t, enc_xtn_hdr),
	OFF(srtp_policy_t, enc_xtn_hdr_count), OFF(srtp_policy_t, next),
	{ "srtp_policy_t.ssrc.value", (int64_t)offsetof(srtp_policy_t, ssrc.value) },

	/* this table's own entry */
	SIZE(msw_layout_entry), OFF(msw_layout_entry, name), OFF(msw_layout_entry, value),
};

int msw_layout_count(void)
{
	return (int)(sizeof(entries) / sizeof(entries[0]));
}

const msw_layout_entry* msw_layout_get(int index)
{
	return index >= 0 && index < msw_layout_count() ? &entries[index] : NULL;
}
