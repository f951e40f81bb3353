/* Thin C shim over liburing for the C# worker. liburing's helpers are static
 * inline functions, so P/Invoke cannot reach them directly. No protocol logic. */
#ifndef MSW_NATIVE_H
#define MSW_NATIVE_H

#include <stdint.h>

typedef struct msw_uring msw_uring;

/* One completed readiness event handed back to C#. */
typedef struct msw_uring_event
{
	uint64_t token;  /* what C# registered the fd with */
	int32_t res;     /* poll mask (>= 0) or -errno */
	uint32_t more;   /* 1 while the multishot poll stays armed */
} msw_uring_event;

/* Creates a ring; NULL on failure with *err = -errno (io_uring absent, seccomp, ...). */
msw_uring* msw_uring_create(unsigned entries, int* err);
void msw_uring_destroy(msw_uring* ring);

/* Arms a multishot poll for fd with the given epoll-style mask. 0 or -errno. */
int msw_uring_poll_add(msw_uring* ring, int fd, uint32_t mask, uint64_t token);

/* Cancels the poll registered with token. 0 or -errno. */
int msw_uring_poll_remove(msw_uring* ring, uint64_t token);

/* Submits pending work and waits up to timeout_ms (-1: forever, 0: no wait) for
 * completions; fills at most max events. Returns the count or -errno. */
int msw_uring_wait(msw_uring* ring, msw_uring_event* events, int max, int timeout_ms);

#endif
