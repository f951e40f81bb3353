/* libmediasoup-worker (./build.sh lib): the C# mediasoup worker as a library, with the entry
 * points the mediasoup Rust crate's mediasoup-sys declares. Link with
 *   -lmediasoup-worker -lpthread -ldl -lm -lrt
 * See README.md, "Library mode". */
#ifndef MEDIASOUP_WORKER_H
#define MEDIASOUP_WORKER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Gives a message back to its owner once the worker is done with it. */
typedef void (*ChannelReadFreeFn)(uint8_t* msg, uint32_t len, size_t msgCtx);

/* The worker asks for the next host → worker message (a bare FlatBuffers Message, no size
 * prefix). Return NULL when none is queued, else a function to free it with. handle is what
 * to pass to uv_async_send when more messages arrive (the first call comes unprompted as
 * the worker starts). */
typedef ChannelReadFreeFn (*ChannelReadFn)(uint8_t** msg, uint32_t* len, size_t* msgCtx,
                                           const void* handle, void* ctx);

/* One worker → host message, with its 4-byte little-endian size prefix; valid only during
 * the call. */
typedef void (*ChannelWriteFn)(const uint8_t* msg, uint32_t len, void* ctx);

/* Runs one worker on the calling thread until it closes (WORKER_CLOSE notification).
 * argv[0] is a program name (ignored), then the worker's --option=value settings. With
 * readFn NULL the fds carry the channel as in the executable. Returns 0, 42 (settings
 * error) or 40 (other error). Several threads may run workers at the same time. */
int mediasoup_worker_run(int argc, char* argv[], const char* version,
                         int consumerFd, int producerFd,
                         ChannelReadFn readFn, void* readCtx,
                         ChannelWriteFn writeFn, void* writeCtx);

/* Wakes the worker whose readFn received handle, from any thread. 0, or a negative error
 * once that worker has ended (harmless). */
int uv_async_send(void* handle);

#ifdef __cplusplus
}
#endif

#endif
