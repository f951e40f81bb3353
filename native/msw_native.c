#include "msw_native.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>

struct msw_uring
{
	struct io_uring ring;
};

/* Completions of cancel requests carry this token and are not reported. */
#define MSW_INTERNAL_TOKEN UINT64_MAX

msw_uring* msw_uring_create(unsigned entries, int* err)
{
	msw_uring* r = calloc(1, sizeof(*r));
	if (!r)
	{
		*err = -ENOMEM;
		return NULL;
	}

	int ret = io_uring_queue_init(entries, &r->ring, 0);
	if (ret < 0)
	{
		free(r);
		*err = ret;
		return NULL;
	}

	/* Multishot poll (kernel 5.13) is what the backend relies on. */
	struct io_uring_probe* probe = io_uring_get_probe_ring(&r->ring);
	int ok = probe && io_uring_opcode_supported(probe, IORING_OP_POLL_ADD);
	if (probe)
		io_uring_free_probe(probe);
	if (!ok)
	{
		io_uring_queue_exit(&r->ring);
		free(r);
		*err = -ENOSYS;
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
		ret = io_uring_submit(&r->ring);
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
		events[n].more = (cqe->flags & IORING_CQE_F_MORE) ? 1u : 0u;
		n++;
	}
	io_uring_cq_advance(&r->ring, seen);
	return n;
}
