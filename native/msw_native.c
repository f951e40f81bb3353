#include "msw_native.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct msw_uring
{
	struct io_uring ring;
};

/* Completions of cancel requests carry this token and are not reported. */
#define MSW_INTERNAL_TOKEN UINT64_MAX

/* Buffer group used only by the start-up probe. */
#define MSW_PROBE_BGID 0xFFFF

/* Can this kernel register a provided-buffer ring (5.19+)? Registers a one-slot ring
 * and drops it again. */
static int probe_buf_ring(struct io_uring* ring)
{
	void* mem = NULL;
	if (posix_memalign(&mem, 4096, 4096) != 0)
		return -ENOMEM;
	memset(mem, 0, 4096);
	struct io_uring_buf_reg reg;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)mem;
	reg.ring_entries = 1;
	reg.bgid = MSW_PROBE_BGID;
	int ret = io_uring_register_buf_ring(ring, &reg, 0);
	if (ret == 0)
		io_uring_unregister_buf_ring(ring, MSW_PROBE_BGID);
	free(mem);
	return ret;
}

msw_uring* msw_uring_create(unsigned entries, int* err)
{
	msw_uring* r = calloc(1, sizeof(*r));
	if (!r)
	{
		*err = -ENOMEM;
		return NULL;
	}

	/* A large completion queue: multishot receives post one CQE per datagram. Cooperative
	 * task running: completions are processed when the loop enters the kernel anyway,
	 * instead of interrupting it (only the loop thread uses the ring). */
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
	p.cq_entries = entries * 8;
	int ret = io_uring_queue_init_params(entries, &r->ring, &p);
	if (ret == -EINVAL)
	{
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = entries * 8;
		ret = io_uring_queue_init_params(entries, &r->ring, &p);
	}
	if (ret < 0)
	{
		free(r);
		*err = ret;
		return NULL;
	}

	/* Multishot poll (5.13) drives readiness; UDP needs multishot recvmsg, which came in
	 * 6.0 together with IORING_OP_SEND_ZC (the opcode probe cannot see the multishot flag),
	 * and provided-buffer rings. */
	struct io_uring_probe* probe = io_uring_get_probe_ring(&r->ring);
	int ok = probe && io_uring_opcode_supported(probe, IORING_OP_POLL_ADD)
		&& io_uring_opcode_supported(probe, IORING_OP_RECVMSG)
		&& io_uring_opcode_supported(probe, IORING_OP_SENDMSG)
		&& io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL)
		&& io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
	if (probe)
		io_uring_free_probe(probe);
	int bufRing = ok ? probe_buf_ring(&r->ring) : -ENOSYS;
	if (!ok || bufRing < 0)
	{
		io_uring_queue_exit(&r->ring);
		free(r);
		*err = ok ? bufRing : -ENOSYS;
		return NULL;
	}

	*err = 0;
	return r;
}

void msw_uring_destroy(msw_uring* r)
{
	if (!r)
		return;
	io_uring_queue_exit(&r->ring);
	free(r);
}

static struct io_uring_sqe* get_sqe(msw_uring* r)
{
	struct io_uring_sqe* sqe = io_uring_get_sqe(&r->ring);
	if (!sqe)
	{
		/* Submission queue full: flush it and try once more. */
		io_uring_submit(&r->ring);
		sqe = io_uring_get_sqe(&r->ring);
	}
	return sqe;
}

int msw_uring_poll_add(msw_uring* r, int fd, uint32_t mask, uint64_t token)
{
	struct io_uring_sqe* sqe = get_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_multishot(sqe, fd, mask);
	io_uring_sqe_set_data64(sqe, token);
	return 0;
}

int msw_uring_poll_remove(msw_uring* r, uint64_t token)
{
	struct io_uring_sqe* sqe = get_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_remove(sqe, token);
	io_uring_sqe_set_data64(sqe, MSW_INTERNAL_TOKEN);
	return 0;
}

int msw_uring_buf_ring_register(msw_uring* r, void* ring_mem, unsigned entries, unsigned bgid)
{
	struct io_uring_buf_reg reg;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)ring_mem;
	reg.ring_entries = entries;
	reg.bgid = (uint16_t)bgid;
	return io_uring_register_buf_ring(&r->ring, &reg, 0);
}

int msw_uring_buf_ring_unregister(msw_uring* r, unsigned bgid)
{
	return io_uring_unregister_buf_ring(&r->ring, (int)bgid);
}

int msw_uring_recvmsg_multishot(msw_uring* r, int fd, const struct msghdr* msg, unsigned bgid, uint64_t token)
{
	struct io_uring_sqe* sqe = get_sqe(r);
	if (!sqe)
		return -EBUSY;
	/* The kernel only reads the name and control lengths of msg for a multishot receive. */
	io_uring_prep_recvmsg_multishot(sqe, fd, (struct msghdr*)msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = (uint16_t)bgid;
	io_uring_sqe_set_data64(sqe, token);
	return 0;
}

int msw_uring_sendmsg(msw_uring* r, int fd, const struct msghdr* msg, unsigned flags, uint64_t token)
{
	struct io_uring_sqe* sqe = get_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_sendmsg(sqe, fd, msg, flags);
	io_uring_sqe_set_data64(sqe, token);
	return 0;
}

int msw_uring_cancel(msw_uring* r, uint64_t token)
{
	struct io_uring_sqe* sqe = get_sqe(r);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, token, 0);
	io_uring_sqe_set_data64(sqe, MSW_INTERNAL_TOKEN);
	return 0;
}

int msw_uring_submit(msw_uring* r)
{
	return io_uring_submit(&r->ring);
}

int msw_uring_wait(msw_uring* r, msw_uring_event* events, int max, int timeout_ms)
{
	struct io_uring_cqe* cqe = NULL;
	int ret;

	if (timeout_ms < 0)
	{
		ret = io_uring_submit_and_wait(&r->ring, 1);
	}
	else if (timeout_ms == 0)
	{
		/* Enters even with nothing to submit, so completions waiting as task work
		 * (cooperative task running) are posted before the queue is read. */
		ret = io_uring_submit_and_get_events(&r->ring);
	}
	else
	{
		struct __kernel_timespec ts;
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000LL;
		ret = io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1, &ts, NULL);
	}

	if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EBUSY)
		return ret;

	int n = 0;
	unsigned head;
	unsigned seen = 0;
	io_uring_for_each_cqe(&r->ring, head, cqe)
	{
		if (n >= max)
			break;
		seen++;
		uint64_t token = io_uring_cqe_get_data64(cqe);
		if (token == MSW_INTERNAL_TOKEN)
			continue;
		events[n].token = token;
		events[n].res = cqe->res;
		events[n].flags = cqe->flags;
		n++;
	}
	io_uring_cq_advance(&r->ring, seen);
	return n;
}
