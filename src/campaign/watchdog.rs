//! The per-test timeout: a thread that raises the stop flag when a test's deadline passes.

use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::lang::{StopFlag, StopReason};

struct State {
    deadline: Option<Instant>,
    shutdown: bool,
}

/// Arms a deadline per test; the flag is raised only while a deadline is armed, so a test
/// that ends just before its deadline never leaks a timeout into the next one.
pub struct Watchdog {
    shared: Arc<(Mutex<State>, Condvar)>,
    stop: StopFlag,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn new(stop: StopFlag) -> Watchdog {
        let shared = Arc::new((
            Mutex::new(State {
                deadline: None,
                shutdown: false,
            }),
            Condvar::new(),
        ));
        let thread_shared = shared.clone();
        let thread_stop = stop.clone();
        let thread = thread::Builder::new()
            .name("wirecraft-watchdog".into())
            .spawn(move || watch(&thread_shared, &thread_stop))
            .ok();
        Watchdog {
            shared,
            stop,
            thread,
        }
    }

    /// Starts the clock for a test.
    pub fn arm(&self, timeout: Duration) {
        let (lock, cvar) = &*self.shared;
        if let Ok(mut state) = lock.lock() {
            state.deadline = Some(Instant::now() + timeout);
            cvar.notify_all();
        }
    }

    /// Stops the clock and clears a timeout it raised.
    pub fn disarm(&self) {
        let (lock, cvar) = &*self.shared;
        if let Ok(mut state) = lock.lock() {
            state.deadline = None;
            // Under the lock: the watchdog cannot raise the flag again for this test.
            self.stop.clear_timeout();
            cvar.notify_all();
        }
    }
}

fn watch(shared: &(Mutex<State>, Condvar), stop: &StopFlag) {
    let (lock, cvar) = shared;
    let Ok(mut state) = lock.lock() else { return };
    loop {
        if state.shutdown {
            return;
        }
        match state.deadline {
            None => match cvar.wait(state) {
                Ok(s) => state = s,
                Err(_) => return,
            },
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    stop.request(StopReason::Timeout);
                    state.deadline = None;
                    continue;
                }
                match cvar.wait_timeout(state, deadline - now) {
                    Ok((s, _)) => state = s,
                    Err(_) => return,
                }
            }
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.shared;
        if let Ok(mut state) = lock.lock() {
            state.shutdown = true;
            cvar.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
