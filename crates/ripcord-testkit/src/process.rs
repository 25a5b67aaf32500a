//! A Python server of tests/moto (the moto launcher, the fault proxy) run under a watchdog:
//! started on a free loopback port, its `READY URL` line awaited, stopped on drop or with the
//! test process.

use crate::workspace::{python, workspace};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to listen: ~2 s usually (moto imports its EC2 models), far
/// longer on a machine busy compiling.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Lines of the server's stderr kept to explain a failure (tracebacks of its 500s).
const TAIL_LINES: usize = 200;

/// Runs the server (`$0` is the python, the rest its script and arguments) and stops it once
/// the test process is gone: a server kept in a static is never dropped and must not outlive
/// the test run. It says the server's pid first, so that a drop can stop the server itself
/// at once.
const WATCHDOG: &str = r#"
    "$0" "$@" &
    pid=$!
    echo "PID $pid"
    trap 'kill $pid 2>/dev/null' EXIT
    while kill -0 $PPID 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 1; done
"#;

/// The last lines the server wrote on stderr.
type Tail = Arc<Mutex<VecDeque<String>>>;

/// What the watchdog says on stdout.
enum Said {
    Pid(u32),
    Ready(String),
}

/// A running server of tests/moto, stopped when dropped.
pub(crate) struct Server {
    /// What it is, for messages: `the moto launcher (flags [...])`.
    what: String,
    /// The URL of its `READY` line, `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// The server's process, a child of the watchdog.
    pub(crate) pid: u32,
    watchdog: Child,
    stderr: Tail,
}

impl Server {
    /// Starts `python SCRIPT ARGS...` (`script_and_args`, the script relative to the
    /// workspace) under the watchdog and waits for its `READY URL` line; panics with the
    /// server's stderr if it does not come. `what` names it in messages.
    pub(crate) fn start(what: String, script_and_args: &[&str]) -> Server {
        let mut watchdog = Command::new("bash")
            .arg("-c")
            .arg(WATCHDOG)
            .arg(python())
            .args(script_and_args)
            .current_dir(workspace())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash starts the server's watchdog");
        // Both pipes are drained for the server's whole life, so that it never blocks on a
        // full one.
        let stderr = Tail::default();
        let stderr_reader = {
            let pipe = watchdog.stderr.take().expect("stderr is piped");
            let tail = stderr.clone();
            thread::spawn(move || keep_tail(pipe, &tail))
        };
        let (tx, said) = mpsc::channel();
        let pipe = watchdog.stdout.take().expect("stdout is piped");
        thread::spawn(move || {
            for_each_line(pipe, |line| {
                let message = if let Some(pid) = line.strip_prefix("PID ") {
                    pid.trim().parse().ok().map(Said::Pid)
                } else {
                    line.strip_prefix("READY ")
                        .map(|url| Said::Ready(url.trim().to_string()))
                };
                if let Some(message) = message {
                    // Nobody listens once the server is up or given up on: keep draining.
                    let _ = tx.send(message);
                }
            })
        });

        let deadline = Instant::now() + READY_TIMEOUT;
        let (mut pid, mut url): (Option<u32>, Option<String>) = (None, None);
        let failure = loop {
            if let (Some(pid), Some(url)) = (pid, &url) {
                return Server {
                    what,
                    url: url.clone(),
                    pid,
                    watchdog,
                    stderr,
                };
            }
            match said.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Said::Pid(p)) => pid = Some(p),
                Ok(Said::Ready(u)) => url = Some(u),
                Err(RecvTimeoutError::Timeout) => {
                    break format!("did not say READY within {READY_TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => break "exited before READY".to_string(),
            }
        };
        stop(pid, &mut watchdog);
        // The pipe closes with the watchdog and the server (a `sleep` of the watchdog may
        // hold it a second longer): then the reader has read everything.
        let given_up = Instant::now() + Duration::from_secs(5);
        while !stderr_reader.is_finished() && Instant::now() < given_up {
            thread::sleep(Duration::from_millis(50));
        }
        panic!("{what} {failure}; its stderr:\n{}", lines(&stderr));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        stop(Some(self.pid), &mut self.watchdog);
        // A failed test shows what its server said (libtest prints a failed test's output).
        if thread::panicking() {
            let said = lines(&self.stderr);
            if !said.is_empty() {
                eprintln!("{} at {} wrote on stderr:\n{said}", self.what, self.url);
            }
        }
    }
}

/// Stops the server (SIGTERM: the launcher and the proxy exit within ~30 ms) and its
/// watchdog.
fn stop(pid: Option<u32>, watchdog: &mut Child) {
    if let Some(pid) = pid {
        let _ = Command::new("kill")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
    let _ = watchdog.kill();
    let _ = watchdog.wait();
}

/// Reads `pipe` to its end, line by line; bytes that are not UTF-8 do not stop it (an
/// undrained pipe would block the server).
fn for_each_line(pipe: impl Read, mut f: impl FnMut(&str)) {
    let mut pipe = BufReader::new(pipe);
    let mut line = Vec::new();
    while matches!(pipe.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        f(String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']));
        line.clear();
    }
}

/// Reads `pipe` to its end, keeping its last [`TAIL_LINES`] lines in `tail`.
fn keep_tail(pipe: impl Read, tail: &Mutex<VecDeque<String>>) {
    for_each_line(pipe, |line| {
        let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.to_string());
    });
}

fn lines(tail: &Mutex<VecDeque<String>>) -> String {
    let tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
    tail.iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}
