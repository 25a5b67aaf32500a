//! The CLI's side of the moto server (ripcord_testkit): running the ripcord binary against it,
//! on a pipe or a pseudo-terminal, and the fixtures only these tests use.

use super::term::Term;
use super::workspace;
use std::ops::Deref;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// What every ripcord run of these tests gets: test credentials, no instance metadata, fast
/// polling (moto settles at once).
const TEST_ENV: [(&str, &str); 5] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("RIPCORD_POLL_MS", "50"),
];

/// The runbooks' DR region, where the fixtures below act.
const DR_REGION: &str = "us-west-2";

/// A running moto server (the kit's: `url`, `seed`) with the CLI's helpers.
pub struct Moto(ripcord_testkit::Moto);

impl Deref for Moto {
    type Target = ripcord_testkit::Moto;

    fn deref(&self) -> &ripcord_testkit::Moto {
        &self.0
    }
}

impl Moto {
    pub fn start() -> Moto {
        Moto(ripcord_testkit::Moto::start())
    }

    /// Starts the launcher with extra arguments (`--account-id`, `--latency-ms`).
    pub fn start_with(extra: &[&str]) -> Moto {
        Moto(ripcord_testkit::Moto::start_with(extra))
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

    /// The kit's one boto3 call, in us-west-2 (the region the runbooks fail over to).
    pub fn boto3(&self, service: &str, call: &str) {
        self.0.boto3(DR_REGION, service, call);
    }

    /// Starts `ripcord ARGS` on a pseudo-terminal against this server, with the test
    /// credentials, a private HOME and fast polling.
    pub fn term(&self, args: &[&str], home: &Path) -> Term {
        let mut env = vec![
            ("HOME", home.to_str().expect("a UTF-8 temporary path")),
            ("AWS_ENDPOINT_URL", self.url.as_str()),
        ];
        env.extend(TEST_ENV);
        Term::start(args, &workspace(), &env)
    }

    /// Runs `ripcord ARGS` against this server (`AWS_ENDPOINT_URL`) with test credentials and
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
        .envs(TEST_ENV)
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
