//! Library-mode test host: runs several C# workers at once in this process through
//! mediasoup_worker_run, each on its own thread, driven with request fixtures that the C#
//! test project generates (tests/rust-host/fixtures). Per worker: WORKER_RUNNING with our pid,
//! WORKER_DUMP, a router, two comedia PlainTransports, produce and consume Opus, RTP sent
//! here must come back rewritten on the consumer's transport, then WORKER_CLOSE: the call
//! returns 0, every message was given back, and uv_async_send on the ended worker is a
//! harmless error. Meanwhile a worker with a bad argument must return 42, and one in fd mode
//! (readFn NULL) must run and return 0 on EOF.
//!
//!   library-mode-harness [--workers N] [--fixtures DIR]

mod channel;
mod fb;

use channel::{read_message, write_message, Channel};
use fb::{BodyKinds, Message, Table};
use mediasoup_sys::{mediasoup_worker_run, uv_async_send};
use std::collections::HashMap;
use std::ffi::CString;
use std::net::UdpSocket;
use std::os::raw::c_char;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// What the Rust crate passes as `version`: its own version, not mediasoup's.
const CRATE_VERSION: &str = "0.21.0";
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
const RTP_PACKETS: u16 = 50;

struct Fixtures {
    files: HashMap<String, Vec<u8>>,
    /// (file, request id) in replay order.
    requests: Vec<(String, u32)>,
    consts: HashMap<String, u32>,
}

impl Fixtures {
    fn load(dir: &Path) -> Fixtures {
        let manifest = std::fs::read_to_string(dir.join("manifest.txt"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join("manifest.txt").display()));
        let mut f = Fixtures { files: HashMap::new(), requests: Vec::new(), consts: HashMap::new() };
        for line in manifest.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let w: Vec<&str> = line.split(' ').collect();
            match w[0] {
                "request" => f.requests.push((w[1].to_string(), w[2].parse().unwrap())),
                "notification" => {}
                "const" => {
                    f.consts.insert(w[1].to_string(), w[2].parse().unwrap());
                }
                other => panic!("manifest: unknown line kind {other}"),
            }
            if w[0] != "const" {
                let bytes = std::fs::read(dir.join(w[1])).unwrap_or_else(|e| panic!("{}: {e}", w[1]));
                f.files.insert(w[1].to_string(), bytes);
            }
        }
        f
    }

    fn c(&self, name: &str) -> u32 {
        *self.consts.get(name).unwrap_or_else(|| panic!("manifest has no const {name}"))
    }

    fn kinds(&self) -> BodyKinds {
        BodyKinds {
            response: self.c("message.Response") as u8,
            notification: self.c("message.Notification") as u8,
            log: self.c("message.Log") as u8,
        }
    }
}

/// Runs mediasoup_worker_run on a new thread, as the Rust crate does; returns its exit code.
fn spawn_worker(args: &[&str], channel: Arc<Channel>) -> thread::JoinHandle<i32> {
    let args: Vec<CString> = std::iter::once("").chain(args.iter().copied()).map(|a| CString::new(a).unwrap()).collect();
    thread::spawn(move || {
        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let version = CString::new(CRATE_VERSION).unwrap();
        unsafe {
            mediasoup_worker_run(
                argv.len() as i32,
                argv.as_ptr(),
                version.as_ptr(),
                0,
                0,
                read_message,
                channel.read_ctx(),
                write_message,
                channel.write_ctx(),
            )
        }
    })
}

struct Host<'a> {
    name: String,
    channel: Arc<Channel>,
    fixtures: &'a Fixtures,
    kinds: BodyKinds,
    /// Notifications and logs that arrived while waiting for something else.
    seen: Vec<Message>,
}

impl<'a> Host<'a> {
    fn next(&mut self) -> Message {
        let bytes = self
            .channel
            .receive(REPLY_TIMEOUT)
            .unwrap_or_else(|| panic!("{}: nothing from the worker within {REPLY_TIMEOUT:?}", self.name));
        Message::decode(&bytes, &self.kinds)
    }

    /// Sends a request fixture and returns its accepted response's bytes.
    fn request(&mut self, file: &str) -> (u8, Vec<u8>) {
        let id = self.fixtures.requests.iter().find(|(f, _)| f == file).expect("fixture not in manifest").1;
        self.channel.send(self.fixtures.files[file].clone());
        loop {
            match self.next() {
                Message::Response { id: got, accepted, body_type, bytes, error, reason } if got == id => {
                    assert!(accepted, "{}: {file} rejected: {error:?} {reason:?}", self.name);
                    return (body_type, bytes);
                }
                Message::Response { id: got, .. } => panic!("{}: response to unknown request {got}", self.name),
                other => self.seen.push(other),
            }
        }
    }

    fn wait_notification(&mut self, handler_id: &str, event: u32) {
        if let Some(i) = self.seen.iter().position(|m| matches!(m, Message::Notification { handler_id: h, event: e, .. } if h == handler_id && *e as u32 == event)) {
            self.seen.remove(i);
            return;
        }
        loop {
            match self.next() {
                Message::Notification { handler_id: h, event: e, .. } if h == handler_id && e as u32 == event => return,
                other => self.seen.push(other),
            }
        }
    }
}

fn rtp_packet(seq: u16, ssrc: u32, payload_type: u8, index: u16) -> Vec<u8> {
    let mut p = vec![0x80, payload_type & 0x7f];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"harness-payload-");
    p.extend_from_slice(&index.to_be_bytes());
    p
}

/// One worker through the whole scenario; panics on any failure.
fn run_one(name: String, fixtures: &Fixtures) {
    let channel = Arc::new(Channel::default());
    let worker = spawn_worker(&["--logLevel=warn", "--logTags=info"], channel.clone());
    let mut host = Host { name: name.clone(), channel: channel.clone(), fixtures, kinds: fixtures.kinds(), seen: Vec::new() };
    let pid = std::process::id().to_string();

    // The worker's first read callback comes unprompted: that is how we learn the handle.
    host.wait_notification(&pid, fixtures.c("event.WORKER_RUNNING"));
    let deadline = Instant::now() + REPLY_TIMEOUT;
    while channel.handle().is_none() {
        assert!(Instant::now() < deadline, "{name}: no read callback after WORKER_RUNNING");
        thread::sleep(Duration::from_millis(1));
    }

    // worker.fbs: DumpResponse { pid 0, ... }
    let (body_type, bytes) = host.request("worker-dump.bin");
    assert_eq!(u32::from(body_type), fixtures.c("response.Worker_DumpResponse"));
    let dump = fb::response_body(&bytes).expect("dump without body");
    assert_eq!(dump.u32(0, 0), std::process::id(), "{name}: WORKER_DUMP pid");

    host.request("create-router.bin");
    // plainTransport.fbs: DumpResponse { base 0, rtcp_mux 1, comedia 2, tuple 3 }; transport.fbs: Tuple { local_address 0, local_port 1 }
    let port_of = |bytes: &[u8]| -> u16 {
        let dump: Table = fb::response_body(bytes).expect("transport dump without body");
        assert!(dump.bool(2), "transport is not comedia");
        dump.table(3).expect("no tuple").u16(1, 0)
    };
    let (t, send_dump) = host.request("create-send-transport.bin");
    assert_eq!(u32::from(t), fixtures.c("response.PlainTransport_DumpResponse"));
    let send_port = port_of(&send_dump);
    let (_, recv_dump) = host.request("create-recv-transport.bin");
    let recv_port = port_of(&recv_dump);
    host.request("produce.bin");
    host.request("consume.bin");

    // comedia: an RTCP receiver report from our receiving socket tells the consumer's
    // transport where to send (RFC 3550 §6.4.2, no report blocks).
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    receiver.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut rr = vec![0x80, 201, 0, 1];
    rr.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    receiver.send_to(&rr, ("127.0.0.1", recv_port)).unwrap();
    host.wait_notification("transport-recv", fixtures.c("event.PLAINTRANSPORT_TUPLE"));

    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let producer_ssrc = fixtures.c("ssrc.producer");
    let consumer_ssrc = fixtures.c("ssrc.consumer");
    let payload_type = fixtures.c("payload_type") as u8;
    let mut got: Vec<Option<Vec<u8>>> = vec![None; RTP_PACKETS as usize];
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut consumer_seqs = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 1500];
    while got.iter().any(Option::is_none) {
        assert!(Instant::now() < deadline, "{name}: {} of {RTP_PACKETS} RTP packets came back", got.iter().flatten().count());
        // Send the next packet, or resend the missing ones once everything was sent once
        // (the consumer forwards each sequence number once; a resend only helps with loss
        // before the worker).
        if sent.len() < RTP_PACKETS as usize {
            let i = sent.len() as u16;
            let packet = rtp_packet(1000 + i, producer_ssrc, payload_type, i);
            sender.send_to(&packet, ("127.0.0.1", send_port)).unwrap();
            sent.push(packet);
        }
        match receiver.recv_from(&mut buf) {
            Ok((n, _)) => {
                let p = &buf[..n];
                if n < 12 || p[1] >= 192 && p[1] <= 223 {
                    continue; // RTCP (sender reports) from the consumer
                }
                assert_eq!(u32::from_be_bytes(p[8..12].try_into().unwrap()), consumer_ssrc, "{name}: SSRC not rewritten");
                assert_eq!(p[1] & 0x7f, payload_type);
                let index = u16::from_be_bytes(p[n - 2..].try_into().unwrap()) as usize;
                assert!(index < got.len() && got[index].is_none(), "{name}: unexpected or repeated packet {index}");
                // RFC 3550 §5.1/§5.3.1: the payload follows the CSRCs and the header extension,
                // which the worker may add (its own extension ids), so compare payloads only.
                let mut header = 12 + 4 * usize::from(p[0] & 0x0f);
                if p[0] & 0x10 != 0 {
                    header += 4 + 4 * usize::from(u16::from_be_bytes([p[header + 2], p[header + 3]]));
                }
                assert_eq!(&p[header..], &sent[index][12..], "{name}: payload changed");
                consumer_seqs.push(u16::from_be_bytes([p[2], p[3]]));
                got[index] = Some(p.to_vec());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("{name}: recv: {e}"),
        }
    }
    // The consumer numbers what it forwards consecutively from its own base.
    for w in consumer_seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1), "{name}: consumer sequence numbers not consecutive");
    }

    let handle = channel.handle().unwrap();
    channel.send(fixtures.files["worker-close.bin"].clone());
    let rc = worker.join().expect("worker thread panicked");
    assert_eq!(rc, 0, "{name}: mediasoup_worker_run returned {rc}");
    assert_eq!(channel.outstanding.load(Ordering::SeqCst), 0, "{name}: messages never given back");
    assert_eq!(channel.bad_prefixes.load(Ordering::SeqCst), 0, "{name}: frames with a wrong size prefix");
    let rc = unsafe { uv_async_send(handle) };
    assert!(rc < 0, "{name}: uv_async_send after close returned {rc}");

    // --logLevel=warn: no warning or error may have been logged (an unknown version included).
    while let Some(bytes) = channel.receive(Duration::ZERO) {
        host.seen.push(Message::decode(&bytes, &host.kinds));
    }
    let logs: Vec<&String> = host.seen.iter().filter_map(|m| if let Message::Log(l) = m { Some(l) } else { None }).collect();
    assert!(logs.is_empty(), "{name}: worker logged {logs:?}");
    println!("{name}: ok (dump pid {pid}, {RTP_PACKETS}/{RTP_PACKETS} RTP packets back rewritten, {} read callbacks, exit 0)", channel.reads.load(Ordering::SeqCst));
}

// The same entry point with nullable callbacks: mediasoup-sys's types cannot express NULL,
// which selects the fds.
#[allow(clashing_extern_declarations)]
extern "C" {
    #[link_name = "mediasoup_worker_run"]
    fn mediasoup_worker_run_fds(
        argc: i32,
        argv: *const *const c_char,
        version: *const c_char,
        consumer_channel_fd: i32,
        producer_channel_fd: i32,
        channel_read_fn: Option<mediasoup_sys::ChannelReadFn>,
        channel_read_ctx: *const std::ffi::c_void,
        channel_write_fn: Option<mediasoup_sys::ChannelWriteFn>,
        channel_write_ctx: *const std::ffi::c_void,
    ) -> i32;
}

extern "C" {
    // libc's signal(2): used to read a disposition (and put back what it was).
    fn signal(signum: i32, handler: usize) -> usize;
}

/// The dispositions a library must leave alone (the runtime's own SIGSEGV/real-time handlers
/// and its SIGPIPE ignore are not ours to judge): INT, QUIT, TERM, CONT, CHLD, WINCH, HUP.
fn host_signal_dispositions() -> Vec<(i32, usize)> {
    [2, 3, 15, 18, 17, 28, 1]
        .iter()
        .map(|&sig| {
            let previous = unsafe { signal(sig, 0) }; // SIG_DFL
            unsafe { signal(sig, previous) };
            (sig, previous)
        })
        .collect()
}

/// fd mode (readFn NULL): the channel is two fds, as for the executable. The worker announces
/// itself with a size-prefixed WORKER_RUNNING and closes when our end of its input goes away.
fn run_fd_mode(fixtures: &Fixtures) {
    use std::io::Read;
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::UnixStream;
    let (host_out, worker_in) = UnixStream::pair().unwrap();
    let (worker_out, mut host_in) = UnixStream::pair().unwrap();
    let (consumer_fd, producer_fd) = (worker_in.as_raw_fd(), worker_out.as_raw_fd());
    let args: Vec<CString> = ["", "--logLevel=warn"].iter().map(|a| CString::new(*a).unwrap()).collect();
    let worker = thread::spawn(move || {
        let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let version = CString::new(CRATE_VERSION).unwrap();
        unsafe {
            mediasoup_worker_run_fds(argv.len() as i32, argv.as_ptr(), version.as_ptr(), consumer_fd, producer_fd, None, std::ptr::null(), None, std::ptr::null())
        }
    });
    host_in.set_read_timeout(Some(REPLY_TIMEOUT)).unwrap();
    let mut prefix = [0u8; 4];
    host_in.read_exact(&mut prefix).expect("fd mode: no frame from the worker");
    let mut frame = vec![0u8; u32::from_le_bytes(prefix) as usize];
    host_in.read_exact(&mut frame).unwrap();
    match Message::decode(&frame, &fixtures.kinds()) {
        Message::Notification { handler_id, event } => {
            assert_eq!(handler_id, std::process::id().to_string());
            assert_eq!(u32::from(event), fixtures.c("event.WORKER_RUNNING"));
        }
        other => panic!("fd mode: expected WORKER_RUNNING, got {other:?}"),
    }
    drop(host_out);
    let rc = worker.join().expect("worker thread panicked");
    assert_eq!(rc, 0, "fd mode: mediasoup_worker_run returned {rc}");
    drop((worker_in, worker_out));
    println!("fd mode: ok (running, closed on EOF, exit 0)");
}

fn main() {
    let mut workers = 3;
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--workers" => workers = args.next().and_then(|v| v.parse().ok()).expect("--workers N"),
            "--fixtures" => dir = PathBuf::from(args.next().expect("--fixtures DIR")),
            _ => panic!("unknown argument {a}"),
        }
    }
    assert!(std::env::var_os("MEDIASOUP_VERSION").is_none(), "the Rust crate does not set MEDIASOUP_VERSION; unset it");
    let fixtures = Arc::new(Fixtures::load(&dir));
    let signals_before = host_signal_dispositions();

    let started = Instant::now();
    let mut threads = Vec::new();
    for i in 0..workers {
        let fixtures = fixtures.clone();
        threads.push(thread::Builder::new().name(format!("host-{i}")).spawn(move || run_one(format!("worker {i}"), &fixtures)).unwrap());
    }
    // A bad argument, at the same time: settings error, no callback touched.
    let bad_channel = Arc::new(Channel::default());
    let bad = spawn_worker(&["--logLevel=chatty"], bad_channel.clone());
    let rc = bad.join().expect("worker thread panicked");
    assert_eq!(rc, 42, "bad argument: mediasoup_worker_run returned {rc}");
    assert_eq!(bad_channel.reads.load(Ordering::SeqCst), 0, "bad argument: read callback called");
    println!("bad argument: exit 42");
    run_fd_mode(&fixtures);

    let mut failed = 0;
    for t in threads {
        if t.join().is_err() {
            failed += 1;
        }
    }
    // Library mode installs no signal handlers in the host's process (stderr lines included).
    let signals_after = host_signal_dispositions();
    for (before, after) in signals_before.iter().zip(&signals_after) {
        if before != after {
            eprintln!("signal {}: disposition changed by the workers ({:#x} -> {:#x})", before.0, before.1, after.1);
            failed += 1;
        }
    }
    if failed > 0 {
        eprintln!("library mode: {failed} failures");
        std::process::exit(1);
    }
    println!("library mode: {workers} concurrent workers passed in {:?}", started.elapsed());
}
