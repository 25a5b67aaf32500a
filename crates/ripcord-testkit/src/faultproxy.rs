//! `FaultProxy`: tests/moto/faultproxy.py in front of a moto server, on a free loopback port,
//! under the same watchdog as moto and stopped on drop: a region down, a service throttling,
//! answers lost, for the live backend's outage tests.

use crate::json::Json;
use crate::moto::{boto3, Moto};
use crate::process::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long a control request to the proxy may take (it answers at once; a busy machine).
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

/// The fault-injecting proxy (tests/moto/faultproxy.py; its docstring has the rules'
/// format) in front of a moto server. Point the tested code at [`FaultProxy::endpoint`];
/// change the faults while it runs with [`FaultProxy::set_rules`]; read what reached moto
/// with [`FaultProxy::count`].
pub struct FaultProxy {
    server: Server,
}

/// One request the proxy saw (an entry of its log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The region of its SigV4 scope (`""` unsigned).
    pub region: String,
    /// The service of its SigV4 scope (`sts`, `route53`, `ec2`, ...).
    pub service: String,
    /// `Action`, the `X-Amz-Target` operation, else `METHOD /path`.
    pub operation: String,
    /// The fault applied, `None` when it went through (also by a `pass` rule).
    pub fault: Option<String>,
    /// Whether moto carried it out (no fault, or a `lose`).
    pub forwarded: bool,
}

impl FaultProxy {
    /// Starts the proxy in front of `upstream` with `seed` (its partial faults are a hash of
    /// it) and the initial rules, a JSON list (`"[]"`: none); panics with the proxy's stderr
    /// if it does not start (rules that are not rules, say).
    pub fn start(upstream: &Moto, seed: u64, rules_json: &str) -> FaultProxy {
        let seed = seed.to_string();
        let args = [
            "tests/moto/faultproxy.py",
            "--upstream",
            &upstream.url,
            "--port",
            "0",
            "--seed",
            &seed,
            "--rules",
            rules_json,
        ];
        let server = Server::start(
            format!("the fault proxy (rules {rules_json}, seed {seed})"),
            &args,
        );
        FaultProxy { server }
    }

    /// The rules of a region that does not answer (HTTP 503 to every request signed for it)
    /// but for the services named, which go through: `region_down("us-east-1", &["route53"])`
    /// is us-east-1 down with Route 53 (signed for us-east-1) answering.
    pub fn region_down(region: &str, still_answering: &[&str]) -> String {
        let mut rules: Vec<String> = still_answering
            .iter()
            .map(|service| format!(r#"{{"service": "{service}", "fault": "pass"}}"#))
            .collect();
        rules.push(format!(
            r#"{{"region": "{region}", "fault": "status", "status": 503}}"#
        ));
        format!("[{}]", rules.join(", "))
    }

    /// The rule of AWS's request quota for `service`: a token bucket per region of `burst`
    /// requests, refilled at `rate` a second; above it the service's own throttling error.
    pub fn quota(service: &str, rate: f64, burst: u32) -> String {
        format!(r#"{{"service": "{service}", "fault": "quota", "rate": {rate}, "burst": {burst}}}"#)
    }

    /// How many requests of `service` the proxy answered with a throttling error so far.
    pub fn throttled(&self, service: &str) -> usize {
        self.log()
            .iter()
            .filter(|r| r.service == service && r.fault.as_deref() == Some("throttle"))
            .count()
    }

    /// Where to send requests: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.server.url.clone()
    }

    /// Replaces the rules (a JSON list); the log is kept. Panics if the proxy refuses them.
    pub fn set_rules(&self, rules_json: &str) {
        let (status, body) = self.control("PUT", "/__faults", rules_json);
        assert_eq!(
            status, 200,
            "the fault proxy refused the rules {rules_json}: {body}"
        );
    }

    /// The requests seen so far, as the proxy's JSON list.
    pub fn log_json(&self) -> String {
        let (status, body) = self.control("GET", "/__log", "");
        assert_eq!(status, 200, "the fault proxy's log: {body}");
        body
    }

    /// The requests seen so far, in order.
    pub fn log(&self) -> Vec<Request> {
        let text = self.log_json();
        let log = Json::parse(&text).unwrap_or_else(|err| panic!("{err} in the log {text}"));
        let Json::Array(entries) = log else {
            panic!("the log is not a list: {text}")
        };
        let field = |entry: &Json, key: &str| -> String {
            entry
                .get(key)
                .and_then(Json::as_str)
                .unwrap_or_else(|| panic!("a log entry without {key}: {entry:?}"))
                .to_string()
        };
        entries
            .iter()
            .map(|entry| Request {
                region: field(entry, "region"),
                service: field(entry, "service"),
                operation: field(entry, "operation"),
                fault: entry
                    .get("fault")
                    .and_then(Json::as_str)
                    .map(str::to_string),
                forwarded: entry
                    .get("forwarded")
                    .and_then(Json::as_bool)
                    .unwrap_or_else(|| panic!("a log entry without forwarded: {entry:?}")),
            })
            .collect()
    }

    /// How many requests of `service`'s `operation` reached moto (forwarded) so far.
    pub fn count(&self, service: &str, operation: &str) -> usize {
        self.log()
            .iter()
            .filter(|r| r.forwarded && r.service == service && r.operation == operation)
            .count()
    }

    /// Forgets the requests seen so far.
    pub fn clear_log(&self) {
        let (status, body) = self.control("DELETE", "/__log", "");
        assert_eq!(status, 200, "clearing the fault proxy's log: {body}");
    }

    /// One boto3 call through the proxy: one attempt, 2 s timeouts, so that a fault answers
    /// at once. `Ok` with boto3's answer as JSON, `Err` with Python's stderr.
    pub fn boto3(&self, region: &str, service: &str, call: &str) -> Result<String, String> {
        let out = boto3(
            &self.server.url,
            region,
            service,
            call,
            "retries={'total_max_attempts': 1}, connect_timeout=2, read_timeout=2",
        );
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// One HTTP/1.1 request to a control endpoint: the status and the body.
    fn control(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let address = self
            .server
            .url
            .strip_prefix("http://")
            .unwrap_or(&self.server.url);
        let mut stream = TcpStream::connect(address)
            .unwrap_or_else(|err| panic!("the fault proxy at {address}: {err}"));
        let _ = stream.set_read_timeout(Some(CONTROL_TIMEOUT));
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .unwrap_or_else(|err| panic!("writing to the fault proxy: {err}"));
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .unwrap_or_else(|err| panic!("reading the fault proxy's answer: {err}"));
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer from the fault proxy: {answer}"));
        (status, body.to_string())
    }
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("endpoint", &self.server.url)
            .field("pid", &self.server.pid)
            .finish_non_exhaustive()
    }
}
