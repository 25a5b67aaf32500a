//! Replication lag from CloudWatch: DescribeDBInstances/DescribeDBClusters do not carry it.
//!
//! `replica_lag_secs` (a read replica instance) and `replication_lag_secs` (an Aurora global
//! secondary cluster) are CloudWatch metrics. Each is read with one GetMetricStatistics in the
//! resource's own region (RDS publishes the metric there), only for resources that have a
//! lag at all. A lag that cannot be read is unknown (`None`), never an error: a readiness
//! query must not fail a run because monitoring is not readable, but the reason is kept as a
//! warning (`LiveBackend::take_warnings`), so that it is not hidden.

use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Datapoint, Dimension, StandardUnit, Statistic};
use ripcord_core::inventory::DbInstance;

/// How far back a datapoint still counts as the current lag. RDS publishes these metrics
/// every minute; five minutes leave room for CloudWatch's delivery delay, while an older
/// value says nothing about now (no datapoint means unknown, as before).
const WINDOW_SECS: i64 = 300;

/// One-minute periods: the metrics' own resolution.
const PERIOD_SECS: i32 = 60;

/// A resource whose lag CloudWatch reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lag<'a> {
    /// An RDS read replica: `ReplicaLag`, in seconds, by `DBInstanceIdentifier`.
    Replica(&'a str),
    /// The secondary cluster of an Aurora global database: `AuroraGlobalDBReplicationLag`,
    /// in milliseconds, by `DBClusterIdentifier` (published in secondary regions only).
    GlobalSecondary(&'a str),
}

impl Lag<'_> {
    fn metric(self) -> &'static str {
        match self {
            Lag::Replica(_) => "ReplicaLag",
            Lag::GlobalSecondary(_) => "AuroraGlobalDBReplicationLag",
        }
    }

    fn dimension(self) -> Dimension {
        let (name, value) = match self {
            Lag::Replica(id) => ("DBInstanceIdentifier", id),
            Lag::GlobalSecondary(id) => ("DBClusterIdentifier", id),
        };
        Dimension::builder().name(name).value(value).build()
    }

    /// Seconds per unit when a datapoint does not say its unit.
    fn default_scale(self) -> f64 {
        match self {
            Lag::Replica(_) => 1.0,
            Lag::GlobalSecondary(_) => 0.001,
        }
    }

    fn describe(self) -> String {
        match self {
            Lag::Replica(id) => format!("read replica {id}"),
            Lag::GlobalSecondary(id) => format!("global secondary cluster {id}"),
        }
    }
}

/// The resource's lag in whole seconds (rounded up), from the newest datapoint of the last
/// few minutes; `None` when there is none or it cannot be read (the reason becomes a warning).
pub(crate) async fn lag_secs(ctx: &Ctx, region: &str, lag: Lag<'_>) -> Option<i64> {
    let op = Op::new("cloudwatch", "GetMetricStatistics");
    let now = jiff::Timestamp::now().as_second();
    ctx.pace("cloudwatch", "GetMetricStatistics", Some(region))
        .await;
    let answer = ctx
        .clients
        .cloudwatch(region)
        .get_metric_statistics()
        .namespace("AWS/RDS")
        .metric_name(lag.metric())
        .dimensions(lag.dimension())
        .start_time(DateTime::from_secs(now - WINDOW_SECS))
        // The end is exclusive: one second on, a datapoint stamped this second counts.
        .end_time(DateTime::from_secs(now + 1))
        .period(PERIOD_SECS)
        .statistics(Statistic::Maximum)
        .send()
        .await;
    match answer {
        Ok(out) => newest_secs(out.datapoints(), lag),
        Err(err) => {
            let err = op.sdk(err);
            ctx.warn(format!(
                "the replication lag of {} in {region} is unknown: CloudWatch {} failed ({}: {}); \
                 replica_lag() answers () for it",
                lag.describe(),
                err.operation,
                err.code,
                err.message
            ));
            None
        }
    }
}

/// `lag_secs`, given up after `bound` (unknown, with a warning): a capture waits on
/// CloudWatch no longer than on anything else it reads.
pub(crate) async fn lag_secs_within(
    ctx: &Ctx,
    region: &str,
    lag: Lag<'_>,
    bound: std::time::Duration,
) -> Option<i64> {
    match tokio::time::timeout(bound, lag_secs(ctx, region, lag)).await {
        Ok(lag) => lag,
        Err(_) => {
            ctx.warn(format!(
                "the replication lag of {} in {region} is unknown: CloudWatch GetMetricStatistics did not answer within {}; replica_lag() answers () for it",
                lag.describe(),
                crate::context::bound_text(bound)
            ));
            None
        }
    }
}

/// Sets the lag of `instance` if it is a read replica (one CloudWatch request); no other
/// instance has one.
pub(crate) async fn fill_replica_lag(ctx: &Ctx, region: &str, instance: &mut DbInstance) {
    if instance.read_replica_source.is_some() {
        instance.replica_lag_secs = lag_secs(ctx, region, Lag::Replica(&instance.id)).await;
    }
}

/// The newest datapoint's Maximum in whole seconds, rounded up. A negative or non-finite
/// value is not a lag (RDS reports -1 for a replica whose replication is not running), so
/// it is unknown too.
fn newest_secs(datapoints: &[Datapoint], lag: Lag<'_>) -> Option<i64> {
    let newest = datapoints
        .iter()
        .filter(|d| d.maximum().is_some())
        .max_by_key(|d| d.timestamp().map(|t| (t.secs(), t.subsec_nanos())))?;
    let value = newest.maximum()?;
    let scale = match newest.unit() {
        Some(StandardUnit::Seconds) => 1.0,
        Some(StandardUnit::Milliseconds) => 0.001,
        Some(StandardUnit::Microseconds) => 0.000_001,
        _ => lag.default_scale(),
    };
    let secs = (value * scale).ceil();
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // `as` saturates at i64::MAX, which no real lag reaches; finite and >= 0 checked above.
    Some(secs as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A CBOR map of short text keys and values (the error body of rpc-v2-cbor).
    fn cbor_map(entries: &[(&str, &str)]) -> Vec<u8> {
        fn text(out: &mut Vec<u8>, s: &str) {
            // Major type 3; a length under 24 fits the first byte, under 256 one more.
            match u8::try_from(s.len()) {
                Ok(n) if n < 24 => out.push(0x60 | n),
                Ok(n) => out.extend_from_slice(&[0x78, n]),
                Err(_) => panic!("test strings are short"),
            }
            out.extend_from_slice(s.as_bytes());
        }
        let mut out = vec![0xa0 | u8::try_from(entries.len()).expect("few entries")];
        for (key, value) in entries {
            text(&mut out, key);
            text(&mut out, value);
        }
        out
    }

    /// An endpoint that refuses every request as AWS refuses a caller without
    /// cloudwatch:GetMetricStatistics (403, AccessDenied); moto cannot be made to refuse
    /// CloudWatch alone. Reads each request whole before answering, so the client sees the
    /// answer and not a reset.
    fn refusing_endpoint() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let body_start = loop {
                    let Ok(n) = stream.read(&mut buf) else {
                        break None;
                    };
                    if n == 0 {
                        break None;
                    }
                    request.extend_from_slice(&buf[..n]);
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break Some(at + 4);
                    }
                };
                let Some(body_start) = body_start else {
                    continue;
                };
                let head = String::from_utf8_lossy(&request[..body_start]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < body_start + length {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = cbor_map(&[
                    ("__type", "AccessDenied"),
                    (
                        "message",
                        "not authorized to perform cloudwatch:GetMetricStatistics",
                    ),
                ]);
                let head = format!(
                    "HTTP/1.1 403 Forbidden\r\nsmithy-protocol: rpc-v2-cbor\r\n\
                     x-amzn-query-error: AccessDenied;Sender\r\n\
                     content-type: application/cbor\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&[head.into_bytes(), body].concat());
            }
        });
        url
    }

    #[test]
    fn a_refused_request_is_unknown_with_a_warning() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let base = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-west-2"))
                .endpoint_url(refusing_endpoint())
                .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new(
                    "testing", "testing", None, None, "test",
                ))
                .load(),
        );
        let ctx = Ctx::new(
            crate::clients::Clients::new(base, vec!["us-east-1".to_string()]),
            crate::config::PollConfig::default(),
        );
        for _ in 0..2 {
            let lag = runtime.block_on(lag_secs(&ctx, "us-west-2", Lag::GlobalSecondary("dr")));
            assert_eq!(lag, None);
        }
        let warnings = ctx.take_warnings();
        assert_eq!(
            warnings.len(),
            1,
            "a repeated warning is kept once: {warnings:?}"
        );
        assert!(
            warnings[0].contains("global secondary cluster dr in us-west-2")
                && warnings[0].contains("AccessDenied"),
            "{warnings:?}"
        );
        assert!(ctx.take_warnings().is_empty(), "taken");
    }

    fn point(secs: i64, max: f64, unit: Option<StandardUnit>) -> Datapoint {
        Datapoint::builder()
            .timestamp(DateTime::from_secs(secs))
            .maximum(max)
            .set_unit(unit)
            .build()
    }

    #[test]
    fn the_newest_datapoint_wins_rounded_up_to_seconds() {
        let points = [
            point(100, 900_000.0, Some(StandardUnit::Milliseconds)),
            point(160, 1_500.0, Some(StandardUnit::Milliseconds)),
            point(40, 5.0, Some(StandardUnit::Milliseconds)),
        ];
        assert_eq!(newest_secs(&points, Lag::GlobalSecondary("c")), Some(2));
    }

    #[test]
    fn units_default_to_the_metric_and_negative_is_unknown() {
        assert_eq!(
            newest_secs(&[point(1, 2500.0, None)], Lag::GlobalSecondary("c")),
            Some(3)
        );
        assert_eq!(
            newest_secs(&[point(1, 12.2, None)], Lag::Replica("r")),
            Some(13)
        );
        assert_eq!(
            newest_secs(
                &[point(1, 7.0, Some(StandardUnit::Seconds))],
                Lag::GlobalSecondary("c")
            ),
            Some(7)
        );
        assert_eq!(
            newest_secs(&[point(1, -1.0, None)], Lag::Replica("r")),
            None
        );
        assert_eq!(newest_secs(&[], Lag::Replica("r")), None);
    }
}
