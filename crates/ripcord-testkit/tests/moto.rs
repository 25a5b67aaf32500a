//! The kit's moto handle against the real launcher: up, usable, down on drop, and a failed
//! start explained; the fault proxy in front of it: faults by region and service, its log,
//! rules changed while it runs.

use ripcord_testkit::{unique, workspace, FaultProxy, Moto, Request};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn address(url: &str) -> SocketAddr {
    url.strip_prefix("http://")
        .expect("an http URL")
        .parse()
        .expect("a socket address")
}

#[test]
fn a_server_answers_until_dropped() {
    let moto = Moto::start();
    let at = address(&moto.url);
    assert!(at.ip().is_loopback(), "{at}");
    TcpStream::connect(at).expect("moto listens");
    moto.boto3(
        "us-east-1",
        "sns",
        &format!("create_topic(Name='{}')", unique("kit")),
    );
    moto.seed(&workspace().join("examples/inventory.yaml"));

    drop(moto);
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(at).is_ok() {
        assert!(
            Instant::now() < deadline,
            "moto still listens after the drop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_failed_start_shows_the_launchers_stderr() {
    let failed = std::panic::catch_unwind(|| Moto::start_with(&["--host", "192.0.2.1"]))
        .expect_err("a host off the loopback is refused");
    let message = failed
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("exited before READY"), "{message}");
    assert!(message.contains("not a loopback address"), "{message}");
}

#[test]
fn unique_names_differ() {
    assert_ne!(unique("web"), unique("web"));
    assert!(unique("web").starts_with(&format!("web-{}-", std::process::id())));
}

#[test]
fn the_fault_proxy_takes_a_region_down_but_what_passes() {
    let moto = Moto::start();
    let topic = unique("kit-proxy");
    let proxy = FaultProxy::start(
        &moto,
        7,
        &FaultProxy::region_down("us-east-1", &["route53"]),
    );
    let at = address(&proxy.endpoint());
    assert!(at.ip().is_loopback(), "{at}");
    assert_ne!(proxy.endpoint(), moto.url);

    // us-east-1 answers 503 and nothing reaches moto; Route 53 (signed for us-east-1) and
    // us-west-2 go through.
    let down = proxy
        .boto3("us-east-1", "sns", &format!("create_topic(Name='{topic}')"))
        .expect_err("us-east-1 is down");
    assert!(down.contains("503"), "{down}");
    proxy
        .boto3("us-east-1", "route53", "list_hosted_zones()")
        .expect("Route 53 passes");
    let created = proxy
        .boto3("us-west-2", "sns", &format!("create_topic(Name='{topic}')"))
        .expect("us-west-2 answers");
    assert!(
        created.contains(&format!("us-west-2:123456789012:{topic}")),
        "{created}"
    );
    let identity = proxy
        .boto3("us-west-2", "sts", "get_caller_identity()")
        .expect("STS in us-west-2 answers");
    assert!(identity.contains("123456789012"), "{identity}");
    let east_topics = moto.boto3_json("us-east-1", "sns", "list_topics()");
    assert!(!east_topics.contains(&topic), "{east_topics}");

    assert_eq!(
        proxy.log(),
        vec![
            request("us-east-1", "sns", "CreateTopic", Some("status"), false),
            request("us-east-1", "route53", "ListHostedZones", None, true),
            request("us-west-2", "sns", "CreateTopic", None, true),
            request("us-west-2", "sts", "GetCallerIdentity", None, true),
        ]
    );
    assert_eq!(
        proxy.count("sns", "CreateTopic"),
        1,
        "only us-west-2's reached moto"
    );
    assert!(proxy.log_json().starts_with('['), "{}", proxy.log_json());

    // New rules while it runs; the log is kept until cleared.
    proxy.set_rules("[]");
    proxy
        .boto3("us-east-1", "sns", &format!("create_topic(Name='{topic}')"))
        .expect("us-east-1 is back");
    assert_eq!(proxy.count("sns", "CreateTopic"), 2);
    proxy.clear_log();
    assert_eq!(proxy.log(), vec![]);
    assert_eq!(proxy.count("sns", "CreateTopic"), 0);

    drop(proxy);
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(at).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the proxy still listens after the drop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_fault_proxy_refuses_rules_that_are_not_rules() {
    let moto = Moto::shared();
    let failed = std::panic::catch_unwind(|| FaultProxy::start(moto, 0, r#"[{"fault": "hnag"}]"#))
        .expect_err("a misspelt fault does not start");
    let message = failed
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("the fault proxy"), "{message}");
    assert!(message.contains("exited before READY"), "{message}");
    assert!(message.contains("fault must be one of"), "{message}");

    let proxy = FaultProxy::start(moto, 0, "[]");
    let refused = std::panic::catch_unwind(|| proxy.set_rules(r#"[{"region": "us-east-1"}]"#))
        .expect_err("a rule without a fault is refused");
    let message = refused
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("fault must be one of"), "{message}");
}

fn request(
    region: &str,
    service: &str,
    operation: &str,
    fault: Option<&str>,
    forwarded: bool,
) -> Request {
    Request {
        region: region.to_string(),
        service: service.to_string(),
        operation: operation.to_string(),
        fault: fault.map(str::to_string),
        forwarded,
    }
}
