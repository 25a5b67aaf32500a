//! SIGTERM and SIGHUP stop a live run like Ctrl-C: the step in flight ends (a wait or an
//! approval prompt at once, a request when it is answered), nothing more is sent, and the
//! journal records the run as interrupted, resumable with `apply --resume`.
//!
//! A closed SSH session sends SIGHUP and takes the terminal with it: every later write to
//! stderr would fail, and Rust's `eprintln!` panics on a failed write, which would end the
//! process before the journal's last record. So on SIGHUP the standard streams are pointed at
//! /dev/null first; the journal is where the rest of the run is told.

use signal_hook::consts::{SIGHUP, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

/// Which signal interrupted the run (0: none).
#[derive(Debug, Clone, Default)]
pub struct Interrupted(Arc<AtomicI32>);

impl Interrupted {
    /// The signal's name, if one arrived.
    pub fn signal(&self) -> Option<&'static str> {
        match self.0.load(Ordering::SeqCst) {
            SIGTERM => Some("SIGTERM"),
            SIGHUP => Some("SIGHUP (the terminal closed)"),
            _ => None,
        }
    }
}

/// Installs the handlers: each signal sets `cancel` (what Ctrl-C sets) and is remembered.
pub fn install(cancel: Arc<AtomicBool>) -> Interrupted {
    let interrupted = Interrupted::default();
    for signal in [SIGTERM, SIGHUP] {
        let (cancel, which) = (cancel.clone(), interrupted.0.clone());
        let action = move || {
            if signal == SIGHUP {
                detach_standard_streams();
            }
            which.store(signal, Ordering::SeqCst);
            cancel.store(true, Ordering::SeqCst);
        };
        // SAFETY: the action only stores to atomics and calls open(2), dup2(2) and close(2),
        // which are async-signal-safe; it allocates nothing and takes no lock.
        let registered = unsafe { signal_hook::low_level::register(signal, action) };
        if let Err(err) = registered {
            eprintln!("warning: cannot handle signal {signal}: {err}; it would end the run without a journal record");
        }
    }
    interrupted
}

/// Points stdin, stdout and stderr at /dev/null.
fn detach_standard_streams() {
    // SAFETY: plain system calls on file descriptors this process owns; a failure leaves the
    // streams as they were (writes then fail as they would have).
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null < 0 {
            return;
        }
        for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO, libc::STDERR_FILENO] {
            libc::dup2(null, fd);
        }
        if null > libc::STDERR_FILENO {
            libc::close(null);
        }
    }
}
