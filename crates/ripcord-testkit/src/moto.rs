//! `Moto`: a moto server from tests/moto/launch.py on a free loopback port, stopped on drop.

use crate::process::Server;
use crate::workspace::{python, workspace};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A running moto server (tests/moto/launch.py, with the project's patches), stopped when
/// dropped. Startup takes ~2 s: share one server between tests where they can use their own
/// resource names ([`Moto::shared`], [`crate::unique`]).
pub struct Moto {
    /// The endpoint, `http://127.0.0.1:PORT`.
    pub url: String,
    server: Server,
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
        let mut args = vec!["tests/moto/launch.py", "--port", "0"];
        args.extend_from_slice(flags);
        let server = Server::start(format!("the moto launcher (flags {flags:?})"), &args);
        Moto {
            url: server.url.clone(),
            server,
        }
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
        self.boto3_json(region, service, call);
    }

    /// [`Moto::boto3`], returning boto3's answer as JSON (`json.dumps`, times and other
    /// values JSON has no type for as strings): to read the world a run left.
    pub fn boto3_json(&self, region: &str, service: &str, call: &str) -> String {
        let out = boto3(&self.url, region, service, call, "");
        assert!(
            out.status.success(),
            "{service} {call} failed in moto ({region}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Runs one boto3 call against `endpoint` with the test credentials and prints its answer as
/// JSON; `config` is Python keyword arguments of `botocore.config.Config` (empty: boto3's
/// defaults).
pub(crate) fn boto3(
    endpoint: &str,
    region: &str,
    service: &str,
    call: &str,
    config: &str,
) -> Output {
    let script = format!(
        "import boto3, json; from botocore.config import Config; \
         c = boto3.client('{service}', region_name='{region}', endpoint_url='{endpoint}', \
         aws_access_key_id='testing', aws_secret_access_key='testing', config=Config({config})); \
         r = c.{call}; r = r if isinstance(r, dict) else {{'result': r}}; \
         r.pop('ResponseMetadata', None); print(json.dumps(r, default=str))"
    );
    Command::new(python())
        .args(["-c", &script])
        .output()
        .expect("python runs boto3")
}

impl std::fmt::Debug for Moto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moto")
            .field("url", &self.url)
            .field("pid", &self.server.pid)
            .finish_non_exhaustive()
    }
}
