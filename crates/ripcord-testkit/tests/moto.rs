//! The kit's moto handle against the real launcher: up, usable, down on drop, and a failed
//! start explained.

use ripcord_testkit::{unique, workspace, Moto};
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
