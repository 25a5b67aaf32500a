//! `ripcord repl`: sets up a session (dry: the runbook's inventory; live: guard, capture,
//! journal, Ctrl-C) and hands it to `ripcord-repl`.

use crate::cli::{ColorChoice, ReplArgs};
use crate::exit::Exit;
use crate::output::{color_for_stdout, report};
use crate::progress::Progress;
use crate::run_lock::RunLock;
use crate::{apply, guard, live, prepare, runs_dir, world_file};
use ripcord_core::Intent;
use ripcord_core::{Inventory, RunbookMeta};
use ripcord_interp::{Interpreter, Runbook};
use ripcord_journal::{JournalWriter, Replay, Resumed, Run, RunHeader};
use ripcord_repl::{Live, Session, SessionConfig, SessionEnd};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn run(args: &ReplArgs, color: ColorChoice) -> Exit {
    let quotas = match crate::quotas::load(args.quotas.quotas.as_deref()) {
        Ok(quotas) => quotas,
        Err(exit) => return exit,
    };
    let compiled: Option<(Interpreter, Runbook)> = match &args.runbook {
        Some(path) => match prepare::runbook(path) {
            Ok(ready) => Some(ready),
            Err(exit) => return exit,
        },
        None => None,
    };
    let mut compiled = compiled;
    let meta = match &mut compiled {
        Some((interpreter, runbook)) => apply::declared_meta(interpreter, runbook),
        None => RunbookMeta::default(),
    };
    let file = compiled
        .as_ref()
        .map(|(_, r)| r.file.clone())
        .unwrap_or_else(|| "<session>".to_string());

    let runs = runs_dir::resolve(args.runs_dir.as_deref());
    // A session cut off, resumed: its journal, checked before the account is even read.
    let earlier = match (&args.resume, &compiled) {
        (Some(id), Some((_, runbook))) => {
            match resumable_session(&runs, id, &file, &runbook.sha256, &meta) {
                Ok(run) => Some(run),
                Err(exit) => return exit,
            }
        }
        _ => None,
    };
    let (sim, info, inventory_json, live_parts) = if args.live {
        let regions = if meta.regions.is_empty() {
            args.regions.clone()
        } else {
            meta.regions.clone()
        };
        if regions.is_empty() {
            eprintln!("error: {file} declares no regions: add `regions: [...]` to runbook(#{{...}}) or pass --regions");
            return Exit::BadInput;
        }
        let mut backend = match live::backend(&args.live_args, &regions) {
            Ok(backend) => backend,
            Err(err) => {
                eprintln!("error: cannot set up the AWS clients: {err}");
                return Exit::Aws;
            }
        };
        backend.set_quotas(quotas.clone());
        let captured = match guard::guard_and_capture(&mut backend, &file, &meta, &regions) {
            Ok(captured) => captured,
            Err(exit) => return exit,
        };
        // The session asks at every approval itself (its gate), before the step reaches the
        // backend; by the time the backend sees one, the operator has said yes.
        backend.set_approver(Box::new(|_| {
            Ok(format!("{} in the REPL", crate::apply::operator()))
        }));
        let cancel = backend.cancel_flag();
        (
            crate::quotas::sim(captured.inventory, &quotas),
            Some(captured.info),
            captured.json,
            Some((backend, cancel, captured.account)),
        )
    } else {
        let loaded = match &args.runbook {
            Some(path) => match world_file::load(path, args.inventory.as_deref()) {
                Ok(loaded) => loaded,
                Err(exit) => return exit,
            },
            None => match &args.inventory {
                Some(path) => match world_file::load(path, Some(path)) {
                    Ok(loaded) => loaded,
                    Err(exit) => return exit,
                },
                None => {
                    let empty = Inventory::empty(jiff::Timestamp::now());
                    let text = serde_json::to_string_pretty(&empty).unwrap_or_default();
                    world_file::Loaded {
                        info: ripcord_core::InventoryInfo {
                            path: "(empty world)".to_string(),
                            sha256: ripcord_core::sha256_hex(text.as_bytes()),
                            account: None,
                            captured_at: empty.captured_at.to_string(),
                            unreachable: Vec::new(),
                        },
                        inventory: empty,
                        text,
                    }
                }
            },
        };
        (
            crate::quotas::sim(loaded.inventory, &quotas),
            Some(loaded.info),
            loaded.text,
            None,
        )
    };

    let header = RunHeader {
        run_id: match (&args.resume, &compiled) {
            (Some(id), _) => id.clone(),
            (None, Some((_, runbook))) => apply::run_id(&meta, runbook),
            (None, None) => apply::run_id_named(&meta, "session"),
        },
        mode: if args.live { "repl" } else { "repl-dry-run" }.to_string(),
        runbook_path: file.clone(),
        runbook_sha256: compiled
            .as_ref()
            .map(|(_, r)| r.sha256.clone())
            .unwrap_or_default(),
        meta: meta.clone(),
        inventory_file: "inventory.json".to_string(),
        inventory_sha256: info.as_ref().map(|i| i.sha256.clone()).unwrap_or_default(),
        account: live_parts.as_ref().map(|(_, _, account)| account.clone()),
        ripcord_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    // A live session holds the run lock of its runbook as `apply` does: two live sessions (or
    // a session and an apply) of one failover at once would act on the same resources.
    let _lock = match (&live_parts, &compiled) {
        (Some((_, _, account)), Some((_, runbook))) => {
            let name = meta
                .name
                .clone()
                .unwrap_or_else(|| apply::runbook_stem(runbook));
            match RunLock::acquire(&runs, account, &name, &header.run_id) {
                Ok((lock, stale)) => {
                    if let Some(stale) = stale {
                        eprintln!(
                            "warning: took over the run lock {} of a process that is gone ({stale})",
                            lock.path().display()
                        );
                    }
                    Some(lock)
                }
                Err(err) => {
                    eprintln!("refused: {err}. Nothing was sent.");
                    return Exit::Refused;
                }
            }
        }
        _ => None,
    };
    let opened = match &args.resume {
        Some(id) => JournalWriter::reopen(&runs, id),
        None => JournalWriter::create(&runs, header, &inventory_json),
    };
    let journal = match opened {
        Ok(journal) => Arc::new(journal),
        Err(err) => {
            eprintln!("error: cannot create the session journal: {err}. Nothing was sent.");
            return Exit::BadInput;
        }
    };
    if let Some(id) = &args.resume {
        println!(
            "resuming session {id}: the steps it did are given back, not sent again; the session pauses at the first it did not do"
        );
    }
    let replayed = Rc::new(Cell::new(false));
    let done_earlier: Vec<Intent> = earlier
        .as_ref()
        .map(|run| {
            run.steps()
                .into_iter()
                .filter(|step| step.outcome().is_some() && !step.typed)
                .map(|step| step.intent)
                .collect()
        })
        .unwrap_or_default();

    let live = live_parts.map(|(mut backend, cancel, account)| {
        backend.set_journal(Arc::new(Progress::new(journal.clone())));
        let on_signal = cancel.clone();
        // Ctrl-C while a call or wait runs stops that wait; at the prompt the line editor
        // reads Ctrl-C as a key, so the session itself never dies of it.
        let _ = ctrlc::set_handler(move || {
            if !on_signal.swap(true, Ordering::SeqCst) {
                eprintln!("\ncancelling the wait ...");
            }
        });
        let backend: Box<dyn ripcord_core::Backend> = match &earlier {
            // The earlier session's steps given back (or settled), the rest sent.
            Some(run) => {
                let mut replay = Replay::resuming(Box::new(backend), Some(journal.clone()), run);
                let flag = replayed.clone();
                replay.set_reporter(Box::new(move |event| match event {
                    Resumed::Replayed(label) => {
                        flag.set(true);
                        println!("  ↺ done in the earlier session, not sent again: {label}");
                    }
                    Resumed::Settled(label, note) => {
                        flag.set(true);
                        println!("  ↺ settled from AWS's state: {label}: {note}");
                    }
                    Resumed::Again(label) => {
                        println!("  ↺ not done by the earlier session, sent now: {label}")
                    }
                }));
                Box::new(replay)
            }
            // Queries recorded as `apply` records them: a resumed session gets the same
            // answers, so the runbook takes the path it took.
            None => Box::new(Replay::recording(Box::new(backend), Some(journal.clone()))),
        };
        Live {
            backend,
            cancel,
            account,
        }
    });
    if live.is_none() {
        // A dry session has nothing to cancel; Ctrl-C outside the prompt must still not kill
        // it halfway through writing its journal.
        let _ = ctrlc::set_handler(|| {});
    }

    let history = args.history.clone().or_else(|| {
        Some(PathBuf::from(ripcord_journal::DEFAULT_RUNS_DIR).with_file_name("repl_history"))
    });
    let session = Session::new(SessionConfig {
        runbook: compiled,
        sim,
        inventory: info,
        live,
        journal: Some(journal),
        confirm: !args.yes,
        color: color_for_stdout(color),
        history,
        report: Box::new(report),
        earlier: done_earlier,
        replayed,
    });
    match session.run() {
        SessionEnd::Completed => Exit::Ok,
        SessionEnd::Quit | SessionEnd::Cancelled => Exit::Cancelled,
        SessionEnd::Failed => Exit::RunbookFailed,
    }
}

/// The live session `id` to resume with the runbook at `runbook_path` (its text's `sha256`,
/// its declaration `meta`): a live REPL session of the same runbook text, not completed.
/// Refused with what is wrong.
fn resumable_session(
    runs: &Path,
    id: &str,
    runbook_path: &str,
    sha256: &str,
    meta: &RunbookMeta,
) -> Result<Run, Exit> {
    let (run, _) = crate::resume::resumable_as(runs, id, "repl", Some(Path::new(runbook_path)))?;
    if let Err(changed) = crate::resume::unchanged(&run, sha256, meta) {
        eprintln!("refused: {changed}: resume the session with the text it ran");
        return Err(Exit::Refused);
    }
    Ok(run)
}
