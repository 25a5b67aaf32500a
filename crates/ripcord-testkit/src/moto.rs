//! `Moto`: a moto server from tests/moto/launch.py on a free loopback port, stopped on drop.

use crate::workspace::{python, workspace};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long the launcher may take to listen: ~2 s usually (moto imports its EC2 models), far
/// longer on a machine busy compiling.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Lines of the server's stderr kept to explain a failure (tracebacks of its 500s).
const TAIL_LINES: usize = 200;

/// Runs the launcher and stops it once the test process is gone: a server kept in a static
/// is never dropped and must not outlive the test run. It says the launcher's pid first, so
/// that a drop can stop the launcher itself at once.
const WATCHDOG: &str = r#"
    "$0" tests/moto/launch.py --port 0 "$@" &
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

/// A running moto server (tests/moto/launch.py, with the project's patches), stopped when
/// dropped. Startup takes ~2 s: share one server between tests where they can use their own
/// resource names ([`Moto::shared`], [`crate::unique`]).
pub struct Moto {
    /// The endpoint, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The launcher's process, a child of the watchdog.
    pid: u32,
    watchdog: Child,
    stderr: Tail,
}

impl Moto {
    /// A server of its own: for tests that count requests, capture the whole world, or
    /// need a world no other test touches.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// A server started with extra launcher flags (tests/moto/README.md), e.g.
    /// `["--account-id", "111122223333"]` or `["--latency-ms", "20"]`.
    pub fn start_with(flags: &[&str]) -> Moto {
        let mut watchdog = Command::new("bash")
            .arg("-c")
            .arg(WATCHDOG)
            .arg(python())
            .args(flags)
            .current_dir(workspace())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash starts the moto launcher");
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
                return Moto {
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
        // The pipe closes with the watchdog and the launcher (a `sleep` of the watchdog may
        // hold it a second longer): then the reader has read everything.
        let given_up = Instant::now() + Duration::from_secs(5);
        while !stderr_reader.is_finished() && Instant::now() < given_up {
            thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the moto launcher (flags {flags:?}) {failure}; its stderr:\n{}",
            lines(&stderr)
        );
    }

    /// The server most tests of one test binary share, started by the first to ask; the
    /// watchdog stops it when the binary exits.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    /// Builds the world of an inventory file in this server (tests/moto/seed.py): its
    /// resources by name, with moto's ids. A relative path is relative to the workspace.
    pub fn seed(&self, inventory: &Path) {
        let out = Command::new(python())
            .args(["tests/moto/seed.py", "--endpoint", &self.url])
            .arg(inventory)
            .current_dir(workspace())
            .output()
            .expect("python runs tests/moto/seed.py");
        assert!(
            out.status.success(),
            "seeding {} failed:\n{}",
            inventory.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Makes one boto3 call on this server, behind the tested code's back (the world
    /// changing under a run): `call` is the client method with its arguments, in Python,
    /// e.g. `delete_auto_scaling_group(AutoScalingGroupName='web', ForceDelete=True)`.
    pub fn boto3(&self, region: &str, service: &str, call: &str) {
        let script = format!(
            "import boto3; boto3.client('{service}', region_name='{region}', endpoint_url='{}', \
             aws_access_key_id='testing', aws_secret_access_key='testing').{call}",
            self.url
        );
        let out = Command::new(python())
            .args(["-c", &script])
            .output()
            .expect("python runs boto3");
        assert!(
            out.status.success(),
            "{service} {call} failed in moto ({region}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl std::fmt::Debug for Moto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moto")
            .field("url", &self.url)
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        stop(Some(self.pid), &mut self.watchdog);
        // A failed test shows what its server said (libtest prints a failed test's output).
        if thread::panicking() {
            let said = lines(&self.stderr);
            if !said.is_empty() {
                eprintln!("moto at {} wrote on stderr:\n{said}", self.url);
            }
        }
    }
}

/// Stops the launcher (SIGTERM: it exits within ~30 ms) and its watchdog.
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
