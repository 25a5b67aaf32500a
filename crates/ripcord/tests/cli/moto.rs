//! The CLI's side of the moto server (ripcord_testkit): running the ripcord binary against it,
//! on a pipe or a pseudo-terminal, and the fixtures only these tests use.

use super::term::Term;
use super::workspace;
use std::ops::Deref;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// What every ripcord run of these tests gets: test credentials, no instance metadata, fast
/// polling (moto settles at once).
const TEST_ENV: [(&str, &str); 6] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("RIPCORD_POLL_MS", "50"),
    // moto answers at once or not at all: a pause before a retry is only waiting.
    ("RIPCORD_RETRY_MS", "20"),
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
    ripcord_command(args, home, extra_env)
        .output()
        .expect("the ripcord binary runs")
}

/// The command [`ripcord_env`] runs, to spawn it instead (a run to kill or signal).
pub fn ripcord_command(args: &[&str], home: &Path, extra_env: &[(&str, &str)]) -> Command {
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
    command
}

impl Moto {
    /// An SQS queue in us-west-2 subscribed to the topic `topic` there (created by the seed):
    /// a stakeholder's inbox. Returns the queue's URL, for [`Moto::received`].
    pub fn subscribe_queue(&self, topic: &str) -> String {
        let queue = ripcord_testkit::unique("inbox");
        let created: serde_json::Value = serde_json::from_str(&self.0.boto3_json(
            DR_REGION,
            "sqs",
            &format!("create_queue(QueueName='{queue}')"),
        ))
        .expect("create_queue answers JSON");
        let url = created["QueueUrl"]
            .as_str()
            .expect("a queue URL")
            .to_string();
        let account = self.account();
        self.boto3(
            "sns",
            &format!(
                "subscribe(TopicArn='arn:aws:sns:{DR_REGION}:{account}:{topic}', Protocol='sqs', \
                 Endpoint='arn:aws:sqs:{DR_REGION}:{account}:{queue}')"
            ),
        );
        url
    }

    /// The notifications an SQS queue of [`Moto::subscribe_queue`] has received: SNS's
    /// envelopes (`Subject`, `Message`, `TopicArn`, ...).
    pub fn received(&self, queue_url: &str) -> Vec<serde_json::Value> {
        let answer: serde_json::Value = serde_json::from_str(&self.0.boto3_json(
            DR_REGION,
            "sqs",
            &format!(
                "receive_message(QueueUrl='{queue_url}', MaxNumberOfMessages=10, WaitTimeSeconds=1)"
            ),
        ))
        .expect("receive_message answers JSON");
        answer["Messages"]
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .map(|m| {
                        serde_json::from_str(m["Body"].as_str().expect("a message body"))
                            .expect("an SNS envelope")
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The account moto answers for (sts GetCallerIdentity).
    pub fn account(&self) -> String {
        let identity: serde_json::Value =
            serde_json::from_str(&self.0.boto3_json(DR_REGION, "sts", "get_caller_identity()"))
                .expect("get_caller_identity answers JSON");
        identity["Account"]
            .as_str()
            .expect("an account id")
            .to_string()
    }

    /// One boto3 call's answer as JSON, in `region` (the world a run left).
    pub fn read(&self, region: &str, service: &str, call: &str) -> serde_json::Value {
        let text = self.0.boto3_json(region, service, call);
        serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{service} {call}: {err} in {text}"))
    }
}

/// Starts `ripcord ARGS` on a pseudo-terminal with the test credentials, a private HOME, fast
/// polling and `extra_env`, and no endpoint but what `ARGS` or `extra_env` say (`repl --live
/// --endpoint-url PROXY`).
pub fn term_env(args: &[&str], home: &Path, extra_env: &[(&str, &str)]) -> Term {
    let mut env = vec![("HOME", home.to_str().expect("a UTF-8 temporary path"))];
    env.extend(TEST_ENV);
    env.extend_from_slice(extra_env);
    Term::start(args, &workspace(), &env)
}

/// Runs ripcord as [`ripcord_env`] does but with no region configured at all (no
/// `AWS_DEFAULT_REGION`, `AWS_REGION` or profile): account-wide calls must find one
/// themselves.
pub fn ripcord_without_region(args: &[&str], home: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut command = ripcord_command(args, home, &[]);
    command
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_REGION")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE");
    for (key, value) in extra_env {
        command.env(key, value);
    }
    command.output().expect("the ripcord binary runs")
}
