//! The moto server for live tests: installed by tests/moto/ensure-venv, started through the
//! project's launcher on a free loopback port, seeded from an inventory, stopped on drop.

use super::term::Term;
use super::workspace;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The virtualenv's python, installing moto the first time (never skipped: a missing tool is
/// installed, not excused).
fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("bash")
            .arg("tests/moto/ensure-venv")
            .current_dir(workspace())
            .output()
            .expect("bash runs tests/moto/ensure-venv");
        assert!(
            out.status.success(),
            "tests/moto/ensure-venv failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout
            .lines()
            .last()
            .expect("ensure-venv prints the python path");
        PathBuf::from(last.trim())
    })
}

/// A running moto server.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Starts the launcher with extra arguments (`--account-id`, `--latency-ms`).
    pub fn start_with(extra: &[&str]) -> Moto {
        let mut child = Command::new(python())
            .arg("tests/moto/launch.py")
            .args(["--port", "0"])
            .args(extra)
            .current_dir(workspace())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the moto launcher starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the launcher says READY");
        let url = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("unexpected launcher output {line:?}"))
            .to_string();
        Moto { child, url }
    }

    /// Creates an Auto Scaling group in us-west-2 that never gets in service: its only instance
    /// type weighs two capacity units, so moto launches one instance for a desired capacity of
    /// 2 but, unlike AWS, does not report that instance's WeightedCapacity; ripcord then counts
    /// it as 1 unit of the 2 desired, for good. (moto has no other way to hold instances out of
    /// service: lifecycle hooks and standby are settled at once.) Needs a seeded world (its
    /// launch template).
    pub fn stuck_asg(&self, name: &str) {
        self.boto3(
            "autoscaling",
            &format!(
                "create_auto_scaling_group(AutoScalingGroupName='{name}', MinSize=0, MaxSize=4, DesiredCapacity=2, AvailabilityZones=['us-west-2a'], MixedInstancesPolicy={{'LaunchTemplate': {{'LaunchTemplateSpecification': {{'LaunchTemplateName': 'ripcord-seed', 'Version': '$Latest'}}, 'Overrides': [{{'InstanceType': 't3.micro', 'WeightedCapacity': '2'}}]}}}})"
            ),
        );
    }

    /// Makes one boto3 call on this server in us-west-2, behind ripcord's back: `call` is the
    /// client method with its arguments, in Python.
    pub fn boto3(&self, service: &str, call: &str) {
        let status = Command::new(python())
            .args([
                "-c",
                &format!(
                    "import boto3; boto3.client('{service}', region_name='us-west-2', endpoint_url='{}', aws_access_key_id='t', aws_secret_access_key='t').{call}",
                    self.url
                ),
            ])
            .status()
            .expect("python runs");
        assert!(status.success(), "{service} {call} failed in moto");
    }

    /// Starts `ripcord ARGS` on a pseudo-terminal against this server, with the test
    /// credentials, a private HOME and fast polling.
    pub fn term(&self, args: &[&str], home: &Path) -> Term {
        Term::start(
            args,
            &workspace(),
            &[
                ("HOME", home.to_str().expect("a UTF-8 temporary path")),
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
                ("AWS_DEFAULT_REGION", "us-east-1"),
                ("AWS_EC2_METADATA_DISABLED", "true"),
                ("AWS_ENDPOINT_URL", self.url.as_str()),
                ("RIPCORD_POLL_MS", "50"),
            ],
        )
    }

    /// Builds the world of an inventory file in this server (tests/moto/seed.py).
    pub fn seed(&self, inventory: &Path) {
        let out = Command::new(python())
            .args(["tests/moto/seed.py", "--endpoint", &self.url])
            .arg(inventory)
            .current_dir(workspace())
            .output()
            .expect("seed.py runs");
        assert!(
            out.status.success(),
            "seeding {} failed:\n{}",
            inventory.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `ripcord ARGS --endpoint-url URL` against this server with test credentials and
    /// no ambient AWS configuration.
    pub fn ripcord(&self, args: &[&str], home: &Path) -> Output {
        ripcord_env(args, home, &[("AWS_ENDPOINT_URL", self.url.as_str())])
    }
}

/// Runs ripcord with test credentials, a private HOME (no ~/.aws), fast polling.
pub fn ripcord_env(args: &[&str], home: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ripcord"));
    command
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RIPCORD_POLL_MS", "50")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("RIPCORD_RUNS_DIR")
        .stdin(Stdio::null());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    command.output().expect("the ripcord binary runs")
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
