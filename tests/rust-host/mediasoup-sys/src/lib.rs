//! The FFI surface the mediasoup Rust crate uses from mediasoup-sys (3.27.x line), declared
//! with the same types: the worker runs on the calling thread and talks through callbacks.
#![allow(clippy::missing_safety_doc)]

use std::os::raw::{c_char, c_int, c_void};

/// The worker's wake-up handle, received in the first read callback.
#[repr(transparent)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct UvAsyncT(pub *const c_void);
unsafe impl Send for UvAsyncT {}

#[repr(transparent)]
pub struct ChannelReadCtx(pub *const c_void);
unsafe impl Send for ChannelReadCtx {}

#[repr(transparent)]
pub struct ChannelWriteCtx(pub *const c_void);
unsafe impl Send for ChannelWriteCtx {}

/// Called by the worker once it is done with a message the read callback handed over.
pub type ChannelReadFreeFn =
    Option<unsafe extern "C" fn(message: *mut u8, message_len: u32, message_ctx: usize)>;

/// Hands the worker the next queued message (bare FlatBuffers), or returns None.
pub type ChannelReadFn = unsafe extern "C" fn(
    message: *mut *mut u8,
    message_len: *mut u32,
    message_ctx: *mut usize,
    handle: UvAsyncT,
    ctx: ChannelReadCtx,
) -> ChannelReadFreeFn;

/// One size-prefixed message from the worker, valid during the call.
pub type ChannelWriteFn =
    unsafe extern "C" fn(message: *const u8, message_len: u32, ctx: ChannelWriteCtx);

extern "C" {
    /// 0, or < 0 when the handle's worker has ended.
    pub fn uv_async_send(handle: UvAsyncT) -> c_int;

    pub fn mediasoup_worker_run(
        argc: c_int,
        argv: *const *const c_char,
        version: *const c_char,
        consumer_channel_fd: c_int,
        producer_channel_fd: c_int,
        channel_read_fn: ChannelReadFn,
        channel_read_ctx: ChannelReadCtx,
        channel_write_fn: ChannelWriteFn,
        channel_write_ctx: ChannelWriteCtx,
    ) -> c_int;
}
