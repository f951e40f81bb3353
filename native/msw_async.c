/* Library mode's wake-up handles: what mediasoup_worker_run hands to the host as the
 * "uv_async_t" of its callback channel, and uv_async_send, which the host calls from any
 * thread to make the worker drain its readFn. A handle is an opaque number, never a pointer:
 * the host may call uv_async_send after the worker ended, so every call looks the number up
 * in a table under a lock and writes to the worker's eventfd only while it is registered.
 * Numbers are never reused. No managed code runs here. */
#include "msw_native.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct msw_async_entry
{
	uintptr_t id;
	int fd;
} msw_async_entry;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static msw_async_entry* table;
static size_t table_len;
static size_t table_cap;
/* Steps of 16 keep the numbers pointer-aligned, as a host might expect of a handle. */
static uintptr_t last_id;

void* msw_async_open(int* fd_out)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&table_lock);
	if (table_len == table_cap)
	{
		size_t cap = table_cap ? table_cap * 2 : 8;
		msw_async_entry* grown = realloc(table, cap * sizeof(*grown));
		if (!grown)
		{
			pthread_mutex_unlock(&table_lock);
			close(fd);
			errno = ENOMEM;
			return NULL;
		}
		table = grown;
		table_cap = cap;
	}
	last_id += 16;
	table[table_len].id = last_id;
	table[table_len].fd = fd;
	table_len++;
	uintptr_t id = last_id;
	pthread_mutex_unlock(&table_lock);
	*fd_out = fd;
	return (void*)id;
}

void msw_async_close(void* handle)
{
	int fd = -1;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++)
	{
		if (table[i].id == (uintptr_t)handle)
		{
			fd = table[i].fd;
			table[i] = table[--table_len];
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	if (fd >= 0)
		close(fd);
}

int uv_async_send(void* handle)
{
	int ret = -EINVAL; /* libuv's UV_EINVAL */
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++)
	{
		if (table[i].id == (uintptr_t)handle)
		{
			uint64_t one = 1;
			/* EAGAIN only when the counter is about to overflow: a wake-up is pending anyway. */
			if (write(table[i].fd, &one, sizeof(one)) == (ssize_t)sizeof(one) || errno == EAGAIN)
				ret = 0;
			else
				ret = -errno;
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return ret;
}
