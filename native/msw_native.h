/* Thin C shim for the C# worker: liburing's helpers (static inline functions, which P/Invoke
 * cannot reach) and library mode's wake-up handles (msw_async.c). No protocol logic. */
#ifndef MSW_NATIVE_H
#define MSW_NATIVE_H

#include <stdint.h>

struct msghdr;

typedef struct msw_uring msw_uring;

/* One completion handed back to C#. */
typedef struct msw_uring_event
{
	uint64_t token;  /* what C# submitted the request with */
	int32_t res;     /* poll mask / byte count (>= 0) or -errno */
	uint32_t flags;  /* the CQE flags: IORING_CQE_F_MORE, F_BUFFER and the buffer id */
} msw_uring_event;

/* Creates a ring; NULL on failure with *err = -errno (io_uring absent, seccomp, a kernel
 * without multishot recvmsg or provided-buffer rings, ...). */
msw_uring* msw_uring_create(unsigned entries, int* err);
void msw_uring_destroy(msw_uring* ring);

/* Arms a multishot poll for fd with the given epoll-style mask. 0 or -errno. */
int msw_uring_poll_add(msw_uring* ring, int fd, uint32_t mask, uint64_t token);

/* Cancels the poll registered with token. 0 or -errno. */
int msw_uring_poll_remove(msw_uring* ring, uint64_t token);

/* Registers a provided-buffer ring of entries (power of two) slots at ring_mem (page
 * aligned, entries * 16 bytes, owned by the caller) as buffer group bgid. 0 or -errno. */
int msw_uring_buf_ring_register(msw_uring* ring, void* ring_mem, unsigned entries, unsigned bgid);
int msw_uring_buf_ring_unregister(msw_uring* ring, unsigned bgid);

/* Queues a multishot recvmsg on fd taking buffers from group bgid. msg (name length,
 * control length) is read when the request is submitted. 0 or -errno. */
int msw_uring_recvmsg_multishot(msw_uring* ring, int fd, const struct msghdr* msg, unsigned bgid, uint64_t token);

/* Queues one sendmsg; msg and what it points to must stay valid until its completion. */
int msw_uring_sendmsg(msw_uring* ring, int fd, const struct msghdr* msg, unsigned flags, uint64_t token);

/* Cancels the request submitted with token (its completion reports -ECANCELED). */
int msw_uring_cancel(msw_uring* ring, uint64_t token);

/* Submits queued requests now, without waiting. Count submitted or -errno. */
int msw_uring_submit(msw_uring* ring);

/* Submits pending work and waits up to timeout_ms (-1: forever, 0: no wait) for
 * completions; fills at most max events. Returns the count or -errno. */
int msw_uring_wait(msw_uring* ring, msw_uring_event* events, int max, int timeout_ms);

/* The layout table (msw_layout.c): one named sizeof, offsetof or constant per entry, as the
 * C compiler of this target sees it, for the interop layout check. */
typedef struct msw_layout_entry
{
	const char* name;
	int64_t value;
} msw_layout_entry;

int msw_layout_count(void);
const msw_layout_entry* msw_layout_get(int index);

/* ---- Library mode (msw_async.c) ---- */

/* Creates a wake-up handle with its own non-blocking eventfd (*fd_out, owned by the table:
 * never close it yourself). NULL with errno on failure. */
void* msw_async_open(int* fd_out);

/* Unregisters the handle and closes its eventfd; later uv_async_send calls on it fail. */
void msw_async_close(void* handle);

/* libuv's name, as mediasoup-sys declares it: wakes the worker that owns handle (an
 * eventfd write). Any thread, any time: 0, or -EINVAL for a handle whose worker ended. */
__attribute__((visibility("default"))) int uv_async_send(void* handle);

#endif
