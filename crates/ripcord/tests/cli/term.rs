//! A pseudo-terminal session with the real binary (through `script`), for the REPL tests:
//! send lines and control keys, wait for output with a deadline.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub struct Term {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Receiver<Vec<u8>>,
    /// Everything printed so far, escape sequences removed.
    pub seen: String,
    /// Where the next `expect` starts looking.
    cursor: usize,
}

/// Removes ANSI escape sequences (the line editor's cursor movements) and carriage returns.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // CSI: parameters, then one final byte in @..~
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

impl Term {
    /// Starts `ripcord ARGS` on a pseudo-terminal in `dir`, with `env` added.
    pub fn start(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Term {
        // A wide terminal: the line editor wraps long input at the terminal's width, which
        // would cut the text the tests look for. `exec`, so that ripcord is the only process in
        // the terminal's foreground group: a ^C typed there must reach ripcord alone. A shell
        // left waiting would get the SIGINT too, and some shells (dash) then exit with 130
        // whatever ripcord did with it.
        let mut command_line = format!(
            "stty cols 250 rows 50; exec {}",
            env!("CARGO_BIN_EXE_ripcord")
        );
        for arg in args {
            command_line.push(' ');
            command_line.push_str(arg);
        }
        let mut command = Command::new("script");
        command
            .args(["-qefc", &command_line, "/dev/null"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            // `script` runs the command line with $SHELL: the same shell wherever tests run.
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("script runs");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Term {
            child,
            stdin,
            output: rx,
            seen: String::new(),
            cursor: 0,
        }
    }

    /// Waits (up to 60 s) until `needle` is printed after the previous match; returns the text
    /// from the previous match up to and including this one.
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_any(&[needle])
    }

    /// [`Term::expect`] of whichever of `needles` is printed first.
    pub fn expect_any(&mut self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut raw = Vec::new();
        loop {
            let first = needles
                .iter()
                .filter_map(|needle| {
                    self.seen[self.cursor..]
                        .find(needle)
                        .map(|at| at + needle.len())
                })
                .min();
            if let Some(len) = first {
                let end = self.cursor + len;
                let text = self.seen[self.cursor..end].to_string();
                self.cursor = end;
                return text;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => {
                    raw.extend_from_slice(&bytes);
                    // Only whole UTF-8 sequences: a chunk may end inside one.
                    let valid = match std::str::from_utf8(&raw) {
                        Ok(_) => raw.len(),
                        Err(err) => err.valid_up_to(),
                    };
                    let text = String::from_utf8_lossy(&raw[..valid]).into_owned();
                    raw.drain(..valid);
                    self.seen.push_str(&plain(&text));
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "timed out waiting for {needles:?}; output so far:\n{}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("ripcord ended before {needles:?}; output:\n{}", self.seen)
                }
            }
        }
    }

    /// Types a line and Enter.
    pub fn line(&mut self, text: &str) {
        self.send(format!("{text}\r").as_bytes());
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("terminal open");
        stdin.write_all(bytes).expect("write to the terminal");
        stdin.flush().expect("flush the terminal");
    }

    /// Kills the terminal (`script`, as a dropped SSH session would: ripcord loses its
    /// terminal and gets SIGHUP) and returns what was printed.
    pub fn hang_up(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(200)) {
            self.seen.push_str(&plain(&String::from_utf8_lossy(&bytes)));
        }
        std::mem::take(&mut self.seen)
    }

    /// Waits (up to 60 s) for the process to end; returns its status and the rest of its output.
    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait on script") {
                while let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push_str(&plain(&String::from_utf8_lossy(&bytes)));
                }
                return (status, std::mem::take(&mut self.seen));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ripcord did not end; output:\n{}", self.seen);
            }
            while let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(50)) {
                self.seen.push_str(&plain(&String::from_utf8_lossy(&bytes)));
            }
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        // A failed test must not leave the session running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
