//! Overlapping waits on Auto Scaling groups share their DescribeAutoScalingGroups requests.
//!
//! A fleet failover scales a hundred Auto Scaling groups in parallel branches and then waits
//! for each of them. With one request per group per poll, the waits would cost as many
//! requests as the scalings, and against a busy endpoint (or API rate limits) those requests
//! are what the run waits for. Polls are gathered the way a database commits a group: the
//! first poll in a region is sent at once, the polls that arrive while it is out go together
//! in the next request once it is back. A poll waits only while another batch of its region is
//! out; a batch is split into requests of the API's size limit, sent concurrently. Each wait
//! still keeps its own schedule, timeout and outcome: only the request is shared.

use crate::convert;
use crate::errors::Op;
use crate::pace::Pacer;
use crate::paging::AllPages;
use aws_sdk_autoscaling::Client;
use ripcord_core::inventory::AutoScalingGroup;
use ripcord_core::BackendError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// DescribeAutoScalingGroups accepts at most 50 names per request with the default page size;
/// with `MaxRecords` at its maximum (100) one page holds every group named.
const NAMES_PER_REQUEST: usize = 50;
const MAX_RECORDS: i32 = 100;

/// What a poll learns: the group, `None` when AWS does not know it, or the request's error.
pub(crate) type Answer = Result<Option<AutoScalingGroup>, BackendError>;

type Waiting = Vec<(String, oneshot::Sender<Answer>)>;

#[derive(Debug, Default)]
struct RegionQueue {
    /// A batch is out; new polls queue for the next one.
    sending: bool,
    waiting: Waiting,
}

/// The polls of Auto Scaling groups waiting for a request, by region. Clones share the queues.
#[derive(Debug, Default, Clone)]
pub(crate) struct AsgPolls {
    regions: Arc<Mutex<HashMap<String, RegionQueue>>>,
}

/// A poisoned lock only means a thread panicked while holding it; the queues stay valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AsgPolls {
    /// The group `name` in `region` as the next shared request finds it.
    /// Each request of a batch takes a token of `pacer` before it is sent.
    pub(crate) async fn describe(
        &self,
        pacer: &Pacer,
        client: Client,
        op: Op,
        region: &str,
        name: &str,
    ) -> Answer {
        let (answer, answered) = oneshot::channel();
        let lead = {
            let mut regions = lock(&self.regions);
            let queue = regions.entry(region.to_string()).or_default();
            queue.waiting.push((name.to_string(), answer));
            !std::mem::replace(&mut queue.sending, true)
        };
        if lead {
            // In a task of its own, so that the batch answers every poll in it even when the
            // wait that started it is stopped.
            let sender = Sender {
                polls: self.clone(),
                pacer: pacer.clone(),
                region: region.to_string(),
                finished: false,
            };
            tokio::spawn(sender.drain(client, op));
        }
        answered.await.unwrap_or_else(|_| {
            Err(op.transport(
                "PollLost",
                "the shared DescribeAutoScalingGroups request stopped before it answered",
            ))
        })
    }
}

/// The task sending a region's batches until no poll waits.
struct Sender {
    polls: AsgPolls,
    pacer: Pacer,
    region: String,
    finished: bool,
}

impl Sender {
    async fn drain(mut self, client: Client, op: Op) {
        loop {
            let batch = {
                let mut regions = lock(&self.polls.regions);
                let queue = regions.entry(self.region.clone()).or_default();
                if queue.waiting.is_empty() {
                    queue.sending = false;
                    self.finished = true;
                    return;
                }
                std::mem::take(&mut queue.waiting)
            };
            let mut names: Vec<String> = batch.iter().map(|(name, _)| name.clone()).collect();
            names.sort();
            names.dedup();
            let found = self.describe(&client, op, names).await;
            for (name, answer) in batch {
                let reply = match &found {
                    Ok(groups) => Ok(groups.get(&name).cloned()),
                    Err(err) => Err(err.clone()),
                };
                // The receiver is gone only when its wait was dropped; nobody needs the answer.
                let _ = answer.send(reply);
            }
        }
    }

    /// The named groups that exist, by name: requests of at most 50 names, sent concurrently,
    /// each read to its last page.
    async fn describe(
        &self,
        client: &Client,
        op: Op,
        names: Vec<String>,
    ) -> Result<HashMap<String, AutoScalingGroup>, BackendError> {
        let mut requests = tokio::task::JoinSet::new();
        for chunk in names.chunks(NAMES_PER_REQUEST) {
            let client = client.clone();
            let chunk = chunk.to_vec();
            let pacer = self.pacer.clone();
            let region = self.region.clone();
            requests.spawn(async move {
                pacer
                    .take("autoscaling", "DescribeAutoScalingGroups", Some(&region))
                    .await;
                client
                    .describe_auto_scaling_groups()
                    .set_auto_scaling_group_names(Some(chunk))
                    .max_records(MAX_RECORDS)
                    .into_paginator()
                    .items()
                    .send()
                    .all(op)
                    .await
            });
        }
        let mut found = HashMap::new();
        while let Some(done) = requests.join_next().await {
            let groups = done.map_err(|join| {
                op.transport(
                    "PollLost",
                    format!("a shared DescribeAutoScalingGroups request stopped: {join}"),
                )
            })??;
            for group in &groups {
                if let Some(name) = group.auto_scaling_group_name() {
                    found.insert(name.to_string(), convert::asg(group));
                }
            }
        }
        Ok(found)
    }
}

impl Drop for Sender {
    /// A sender that did not finish normally (its task panicked or the runtime shut down)
    /// must not leave the region marked busy: later polls would wait for a batch that never
    /// comes. The polls still queued are answered with an error by dropping their senders.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut regions = lock(&self.polls.regions);
        if let Some(queue) = regions.get_mut(&self.region) {
            queue.sending = false;
            queue.waiting.clear();
        }
    }
}
