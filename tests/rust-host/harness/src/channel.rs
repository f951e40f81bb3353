//! The host side of the callback channel, done the way the mediasoup Rust crate does it:
//! messages queued for the worker until its read callback takes them (as boxed byte slices it
//! hands back through the free callback), the wake-up handle recorded from the first read
//! callback, uv_async_send from the sending thread, size prefixes stripped on the way in.

use mediasoup_sys::{uv_async_send, ChannelReadCtx, ChannelReadFreeFn, ChannelWriteCtx, UvAsyncT};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Inbox {
    queue: VecDeque<Vec<u8>>,
    handle: Option<UvAsyncT>,
}

#[derive(Default)]
pub struct Channel {
    inbox: Mutex<Inbox>,
    outbox: Mutex<VecDeque<Vec<u8>>>,
    arrived: Condvar,
    /// Messages handed to the worker and not yet given back.
    pub outstanding: AtomicUsize,
    /// Read callbacks seen (the first one comes unprompted).
    pub reads: AtomicUsize,
    /// Worker → host frames whose size prefix did not match their length.
    pub bad_prefixes: AtomicUsize,
}

impl Channel {
    /// Queues a bare FlatBuffers message and wakes the worker if it has told us how.
    pub fn send(&self, message: Vec<u8>) {
        let handle = {
            let mut inbox = self.inbox.lock().unwrap();
            inbox.queue.push_back(message);
            inbox.handle
        };
        if let Some(handle) = handle {
            let rc = unsafe { uv_async_send(handle) };
            assert_eq!(rc, 0, "uv_async_send on a running worker failed");
        }
    }

    pub fn handle(&self) -> Option<UvAsyncT> {
        self.inbox.lock().unwrap().handle
    }

    /// The next worker → host message (prefix stripped), waiting up to `timeout`.
    pub fn receive(&self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut outbox = self.outbox.lock().unwrap();
        loop {
            if let Some(message) = outbox.pop_front() {
                return Some(message);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            outbox = self.arrived.wait_timeout(outbox, deadline - now).unwrap().0;
        }
    }

    pub fn read_ctx(&self) -> ChannelReadCtx {
        ChannelReadCtx(self as *const Channel as *const _)
    }

    pub fn write_ctx(&self) -> ChannelWriteCtx {
        ChannelWriteCtx(self as *const Channel as *const _)
    }
}

unsafe extern "C" fn free_message(message: *mut u8, message_len: u32, message_ctx: usize) {
    let channel = &*(message_ctx as *const Channel);
    drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(message, message_len as usize)));
    channel.outstanding.fetch_sub(1, Ordering::SeqCst);
}

pub unsafe extern "C" fn read_message(
    message: *mut *mut u8,
    message_len: *mut u32,
    message_ctx: *mut usize,
    handle: UvAsyncT,
    ctx: ChannelReadCtx,
) -> ChannelReadFreeFn {
    let channel = &*(ctx.0 as *const Channel);
    channel.reads.fetch_add(1, Ordering::SeqCst);
    let mut inbox = channel.inbox.lock().unwrap();
    if inbox.handle.is_none() {
        inbox.handle = Some(handle);
    }
    // (No let-else: Debian 12's rustc 1.63 builds this too.)
    let next = match inbox.queue.pop_front() {
        Some(next) => next,
        None => return None,
    };
    let boxed: Box<[u8]> = next.into_boxed_slice();
    *message_len = boxed.len() as u32;
    *message = Box::into_raw(boxed) as *mut u8;
    *message_ctx = channel as *const Channel as usize;
    channel.outstanding.fetch_add(1, Ordering::SeqCst);
    Some(free_message)
}

pub unsafe extern "C" fn write_message(message: *const u8, message_len: u32, ctx: ChannelWriteCtx) {
    let channel = &*(ctx.0 as *const Channel);
    let frame = std::slice::from_raw_parts(message, message_len as usize);
    if frame.len() < 4 || u32::from_le_bytes(frame[..4].try_into().unwrap()) as usize != frame.len() - 4 {
        channel.bad_prefixes.fetch_add(1, Ordering::SeqCst);
        return;
    }
    channel.outbox.lock().unwrap().push_back(frame[4..].to_vec());
    channel.arrived.notify_all();
}
