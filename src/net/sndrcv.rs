//! Moving packets: `sr()`'s engine (a sending thread, the receiving loop on the caller's
//! thread, answers matched through hashret buckets, retries), the sniffing loop, and the
//! background capture of `AsyncSniffer`.
//!
//! Packets are the engine's (`Rc`, one thread), so everything that builds, dissects or
//! matches stays on the caller's thread; only bytes cross to the sending thread. The
//! receiving socket is open before the first packet leaves, so no early answer is lost.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::session::Outgoing;
use super::socket::{Frame, FrameRx, FrameTx, PcapTx, PerIfaceTx, RawIpTx};
use crate::packet::Packet;

/// How long one wait for a frame lasts at most, so that stop requests, deadlines and the
/// sending thread's news are seen promptly.
const SLICE: Duration = Duration::from_millis(20);

/// Where frames go out: one of the super sockets' sending sides. Moved into the sending
/// thread and back.
pub enum Transmitter {
    /// One socket bound to one interface (level 2).
    One(Box<dyn FrameTx>),
    /// PF_PACKET sockets per interface (level 3 packet sockets).
    PerIface(PerIfaceTx),
    /// libpcap handles per interface.
    Pcap(HashMap<String, PcapTx>),
    /// The raw IP socket.
    RawIp(RawIpTx),
}

impl Transmitter {
    /// Sends one outgoing frame.
    pub fn send(&mut self, o: &Outgoing) -> io::Result<()> {
        match self {
            Transmitter::One(tx) => tx.send(&o.bytes),
            Transmitter::PerIface(t) => match &o.iface {
                Some(i) => t.send(i, &o.bytes),
                None => Err(io::Error::other("no interface for a level 3 packet")),
            },
            Transmitter::Pcap(m) => {
                let Some(i) = &o.iface else {
                    return Err(io::Error::other("no interface for a level 3 packet"));
                };
                if !m.contains_key(&i.name) {
                    m.insert(i.name.clone(), super::socket::pcap_tx(&i.name)?);
                }
                match m.get_mut(&i.name) {
                    Some(t) => t.send(&o.bytes),
                    None => Err(io::Error::other("pcap handle vanished")),
                }
            }
            Transmitter::RawIp(t) => t.send(&o.bytes),
        }
    }
}

/// Whether a flag asks to stop.
fn stop_requested(stop: &AtomicUsize, cancel: &AtomicBool) -> bool {
    stop.load(Ordering::Relaxed) != 0 || cancel.load(Ordering::Relaxed)
}

/// Sleeps `d`, waking early when asked to stop; whether it slept the whole time.
pub fn sleep_unless(d: Duration, stop: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if stop() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(SLICE));
    }
}

/// What the sending thread reports.
enum SendEvent {
    /// All packets of the round sent (how many).
    Finished(usize),
    /// Sending failed (why).
    Failed(String),
}

/// Sends `out` from a thread, `inter` apart, until done or cancelled; gives the transmitter
/// back when it ends.
fn spawn_sender(
    mut tx: Transmitter,
    out: Vec<Outgoing>,
    inter: Duration,
    stop: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    events: mpsc::Sender<SendEvent>,
) -> io::Result<JoinHandle<Transmitter>> {
    std::thread::Builder::new()
        .name("wirecraft-send".into())
        .spawn(move || {
            let mut n = 0;
            for o in &out {
                if stop_requested(&stop, &cancel) {
                    break;
                }
                if let Err(e) = tx.send(o) {
                    let _ = events.send(SendEvent::Failed(e.to_string()));
                    return tx;
                }
                n += 1;
                if !inter.is_zero() && !sleep_unless(inter, &|| stop_requested(&stop, &cancel)) {
                    break;
                }
            }
            let _ = events.send(SendEvent::Finished(n));
            tx
        })
}

/// `sr()`'s parameters.
#[derive(Clone, Debug)]
pub struct SrParams {
    /// How long to wait after the last packet is sent; None: until every packet is answered.
    pub timeout: Option<Duration>,
    /// The pause between two packets.
    pub inter: Duration,
    /// Scapy's `retry`: n > 0 sends the unanswered ones n more times; -n until n rounds in
    /// a row bring no new answer.
    pub retry: i64,
    /// Keep listening after a packet's first answer, and keep every answer.
    pub multi: bool,
    /// Scapy's verbosity: 1 and up the progress lines, 2 and up a `*` per answer and a `.`
    /// per other packet received.
    pub verbose: i64,
}

/// What `sr()` gives back: indices into the probes.
#[derive(Debug, Default)]
pub struct SrOutcome {
    /// `(probe index, answer)`, in the order the answers came.
    pub answered: Vec<(usize, Packet)>,
    /// The probes without an answer, in sending order.
    pub unanswered: Vec<usize>,
    /// Every packet received (answers and others).
    pub received: usize,
}

/// Why `sr()` ended without an outcome.
#[derive(Debug)]
pub enum SrError {
    /// The runner asked to stop (timeout, Ctrl-C): the caller raises its exception.
    Stopped,
    /// A socket failed.
    Io(String),
}

/// The caller's side of `sr()`: output, the stop flag, framing and dissecting.
pub struct SrIo<'a> {
    /// Writes progress text.
    pub write: &'a mut dyn FnMut(&str),
    /// Whether the runner asks to stop.
    pub stopped: &'a dyn Fn() -> bool,
    /// Frames one probe for its socket (built now: resolution happens here).
    pub prepare: &'a mut dyn FnMut(&Packet) -> Result<Outgoing, String>,
    /// Turns a received frame into the packet matched against the probes (None: ignored).
    pub dissect: &'a mut dyn FnMut(&Frame) -> Option<Packet>,
}

/// Sends `probes` and collects their answers (Scapy's `sndrcv`): each round sends what is
/// still unanswered from a thread while this thread receives, buckets the probes by
/// `hashret()` and asks `answers()` only within a bucket.
pub fn sndrcv(
    probes: &[Packet],
    mut tx: Transmitter,
    rx: &mut dyn FrameRx,
    params: &SrParams,
    stop: Arc<AtomicUsize>,
    io: &mut SrIo<'_>,
) -> Result<SrOutcome, SrError> {
    let (mut retry, autostop) = if params.retry < 0 {
        (-params.retry, -params.retry)
    } else {
        (params.retry, 0)
    };
    let mut out = SrOutcome::default();
    let mut answered_once = vec![false; probes.len()];
    let mut unmatched = 0usize;
    let mut tobesent: Vec<usize> = (0..probes.len()).collect();
    let hashes: Vec<Vec<u8>> = probes.iter().map(Packet::hashret).collect();
    while retry >= 0 {
        let mut frames = Vec::with_capacity(tobesent.len());
        for &i in &tobesent {
            frames.push((io.prepare)(&probes[i]).map_err(SrError::Io)?);
        }
        // The buckets: probes of this round by hashret, in sending order.
        let mut hsent: HashMap<&[u8], Vec<usize>> = HashMap::new();
        for &i in &tobesent {
            hsent.entry(hashes[i].as_slice()).or_default().push(i);
        }
        let mut pending = tobesent.len();
        if params.verbose > 0 {
            (io.write)("Begin emission:\n");
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let (ev_tx, ev_rx) = mpsc::channel();
        let sender = spawn_sender(
            tx,
            frames,
            params.inter,
            stop.clone(),
            cancel.clone(),
            ev_tx,
        )
        .map_err(|e| SrError::Io(e.to_string()))?;
        let mut finished: Option<Instant> = None;
        let mut failure: Option<String> = None;
        let mut stopped = false;
        loop {
            if (io.stopped)() {
                stopped = true;
                break;
            }
            while let Ok(ev) = ev_rx.try_recv() {
                match ev {
                    SendEvent::Finished(n) => {
                        if params.verbose > 0 {
                            (io.write)(&format!("Finished sending {n} packets.\n"));
                        }
                        finished = Some(Instant::now());
                    }
                    SendEvent::Failed(e) => failure = Some(e),
                }
            }
            if failure.is_some() {
                break;
            }
            if pending == 0 && !params.multi && finished.is_some() {
                break;
            }
            let wait = match (finished, params.timeout) {
                (Some(t), Some(to)) => {
                    let end = t + to;
                    let now = Instant::now();
                    if now >= end {
                        break;
                    }
                    (end - now).min(SLICE)
                }
                _ => SLICE,
            };
            let frame = match rx.recv(wait) {
                Ok(Some(f)) => f,
                Ok(None) => continue,
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            };
            let Some(r) = (io.dissect)(&frame) else {
                continue;
            };
            let h = r.hashret();
            let mut matched = false;
            if let Some(bucket) = hsent.get_mut(h.as_slice()) {
                if let Some(k) = bucket.iter().position(|&i| r.answers(&probes[i])) {
                    let i = bucket[k];
                    if !params.multi {
                        bucket.remove(k);
                        pending -= 1;
                    } else if !answered_once[i] {
                        pending = pending.saturating_sub(1);
                    }
                    answered_once[i] = true;
                    out.answered.push((i, r));
                    matched = true;
                }
            }
            if params.verbose > 1 {
                (io.write)(if matched { "*" } else { "." });
            }
            if !matched {
                unmatched += 1;
            }
        }
        cancel.store(true, Ordering::Relaxed);
        tx = sender
            .join()
            .map_err(|_| SrError::Io("the sending thread panicked".into()))?;
        if stopped {
            return Err(SrError::Stopped);
        }
        if let Some(e) = failure {
            return Err(SrError::Io(e));
        }
        let remain: Vec<usize> = tobesent
            .iter()
            .copied()
            .filter(|&i| !answered_once[i])
            .collect();
        if autostop > 0 && !remain.is_empty() && remain.len() != tobesent.len() {
            retry = autostop;
        }
        tobesent = remain;
        if tobesent.is_empty() {
            break;
        }
        retry -= 1;
    }
    out.unanswered = tobesent;
    out.received = unmatched + out.answered.len();
    if params.verbose > 0 {
        (io.write)(&format!(
            "\nReceived {} packets, got {} answers, remaining {} packets\n",
            out.received,
            out.answered.len(),
            out.unanswered.len()
        ));
    }
    Ok(out)
}

/// Receives frames until `deadline`, a stop request, or `each` says it has had enough.
/// Returns whether the runner asked to stop.
pub fn sniff_loop<E>(
    rx: &mut dyn FrameRx,
    deadline: Option<Instant>,
    stopped: &dyn Fn() -> bool,
    each: &mut dyn FnMut(Frame) -> Result<bool, E>,
) -> Result<bool, SniffError<E>> {
    loop {
        if stopped() {
            return Ok(true);
        }
        let wait = match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return Ok(false);
                }
                (d - now).min(SLICE)
            }
            None => SLICE,
        };
        match rx.recv(wait) {
            Ok(Some(f)) => {
                if each(f).map_err(SniffError::Callback)? {
                    return Ok(false);
                }
            }
            Ok(None) => {}
            Err(e) => return Err(SniffError::Io(e)),
        }
    }
}

/// Why a sniffing loop ended early.
#[derive(Debug)]
pub enum SniffError<E> {
    /// The socket failed.
    Io(io::Error),
    /// A callback raised.
    Callback(E),
}

/// A capture running in a thread (`AsyncSniffer`): frames are queued as they come; the
/// caller's thread turns them into packets.
pub struct BackgroundCapture {
    frames: mpsc::Receiver<Frame>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<Option<String>>>,
}

impl BackgroundCapture {
    /// Starts capturing from `rx` until `stop()`, `timeout` or, when given, `max` frames.
    pub fn start(
        mut rx: Box<dyn FrameRx>,
        timeout: Option<Duration>,
        max: Option<usize>,
        stop: Arc<AtomicUsize>,
    ) -> io::Result<BackgroundCapture> {
        let cancel = Arc::new(AtomicBool::new(false));
        let (ftx, frx) = mpsc::channel();
        let c = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("wirecraft-sniff".into())
            .spawn(move || {
                let deadline = timeout.map(|t| Instant::now() + t);
                let mut n = 0usize;
                let r = sniff_loop::<()>(
                    rx.as_mut(),
                    deadline,
                    &|| stop_requested(&stop, &c),
                    &mut |f| {
                        n += 1;
                        Ok(ftx.send(f).is_err() || max.is_some_and(|m| n >= m))
                    },
                );
                match r {
                    Err(SniffError::Io(e)) => Some(e.to_string()),
                    _ => None,
                }
            })?;
        Ok(BackgroundCapture {
            frames: frx,
            cancel,
            thread: Some(thread),
        })
    }

    /// Whether the capture still runs.
    pub fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// The next queued frame, waiting at most `wait`; None when none came (or the capture
    /// ended and the queue is empty).
    pub fn next_frame(&self, wait: Duration) -> Option<Frame> {
        if wait.is_zero() {
            return self.frames.try_recv().ok();
        }
        self.frames.recv_timeout(wait).ok()
    }

    /// Asks the capture to end.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Waits for the thread to end; the socket error that ended it, if any.
    pub fn finish(&mut self) -> Option<String> {
        self.thread.take().and_then(|t| {
            t.join()
                .unwrap_or(Some("the capture thread panicked".into()))
        })
    }
}

impl Drop for BackgroundCapture {
    fn drop(&mut self) {
        self.cancel();
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Frames handed out one per call, then nothing.
    struct Script(VecDeque<Frame>);

    impl FrameRx for Script {
        fn recv(&mut self, timeout: Duration) -> io::Result<Option<Frame>> {
            match self.0.pop_front() {
                Some(f) => Ok(Some(f)),
                None => {
                    std::thread::sleep(timeout.min(Duration::from_millis(1)));
                    Ok(None)
                }
            }
        }
    }

    fn frame(b: &[u8]) -> Frame {
        Frame {
            data: b.to_vec(),
            linktype: 1,
            iface: "t0".into(),
            time: Default::default(),
        }
    }

    #[test]
    fn sniff_loop_stops_on_request_and_on_enough() {
        let mut rx = Script(vec![frame(b"a"), frame(b"b"), frame(b"c")].into());
        let mut got = Vec::new();
        let r = sniff_loop::<()>(&mut rx, None, &|| false, &mut |f| {
            got.push(f.data);
            Ok(got.len() == 2)
        });
        assert!(matches!(r, Ok(false)));
        assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec()]);
        let r = sniff_loop::<()>(&mut rx, None, &|| true, &mut |_| Ok(false));
        assert!(matches!(r, Ok(true)), "a stop request ends the loop");
        let t0 = Instant::now();
        let r = sniff_loop::<()>(
            &mut rx,
            Some(Instant::now() + Duration::from_millis(30)),
            &|| false,
            &mut |_| Ok(false),
        );
        assert!(matches!(r, Ok(false)));
        assert!(t0.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn background_capture_queues_frames_up_to_max() {
        let rx = Script(vec![frame(b"1"), frame(b"2"), frame(b"3")].into());
        let stop = Arc::new(AtomicUsize::new(0));
        let mut c = BackgroundCapture::start(Box::new(rx), None, Some(2), stop).expect("thread");
        assert_eq!(c.finish(), None);
        assert_eq!(
            c.next_frame(Duration::ZERO).map(|f| f.data),
            Some(b"1".to_vec())
        );
        assert_eq!(
            c.next_frame(Duration::ZERO).map(|f| f.data),
            Some(b"2".to_vec())
        );
        assert!(c.next_frame(Duration::ZERO).is_none());
        assert!(!c.running());
    }
}
