//! The one place where ripcord meets Rhai: engine limits, sandbox, and every registered function.

use crate::codes;
use crate::debug::{self, StopKind};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::duration_of;
use crate::primitives::table;
use crate::primitives::{
    aurora, autoscaling, dynamodb, ec2, handles, queries, rds, route53, runbook, s3, snapshots,
    sns, time, waits,
};
use crate::state::RunState;
use crate::stdlib::StdlibResolver;
use rhai::debugger::{DebuggerCommand, DebuggerEvent};
use rhai::packages::{Package, StandardPackage};
use rhai::{ASTNode, Expr, FnCallExpr, Stmt};
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FnPtr, FuncRegistration, Map, NativeCallContext,
    OptimizationLevel,
};
use ripcord_core::{Origin, ResourceKind};
use std::cell::RefCell;
use std::rc::Rc;

/// The sandbox's limits (docs/reference.md states them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub operations: u64,
    pub call_depth: usize,
    pub expr_depth: usize,
    pub string_size: usize,
    pub array_size: usize,
    pub map_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            operations: 1_000_000,
            call_depth: 64,
            expr_depth: 64,
            string_size: 64 * 1024,
            array_size: 100_000,
            map_size: 10_000,
        }
    }
}

pub type Shared = Rc<RefCell<RunState>>;

/// Builds the sandboxed engine for one run, with every primitive bound to `state`.
///
/// `Engine::new_raw` brings no file module resolver, no `print` to stdout and no packages;
/// the standard package is added back explicitly (built with `no_time`, so there is no
/// `timestamp()`: time only comes through the backend), and imports resolve only to the
/// embedded standard library.
pub fn build_engine(state: Shared, limits: Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine.set_module_resolver(StdlibResolver);
    engine.set_max_operations(limits.operations);
    engine.set_max_call_levels(limits.call_depth);
    engine.set_max_expr_depths(limits.expr_depth, limits.expr_depth);
    engine.set_max_string_size(limits.string_size);
    engine.set_max_array_size(limits.array_size);
    engine.set_max_map_size(limits.map_size);
    engine.set_max_modules(32);
    engine.set_strict_variables(true);
    // `eval` would compile code the static checks never saw.
    engine.disable_symbol("eval");
    engine.set_fail_on_invalid_map_property(true);
    // Simple never calls registered functions at compile time; the primitives are also
    // registered volatile below, so no optimization level may fold them away.
    engine.set_optimization_level(OptimizationLevel::Simple);
    // The call stack (for "called from runbook line N" origins) is kept only while a debugger
    // is registered. Without a REPL hook this one never stops; with one, it steps into
    // every node and hands the REPL the statements and primitive calls (`crate::debug`).
    let shared = state.clone();
    #[allow(deprecated)] // "volatile" API, pinned by the workspace's rhai version
    engine.register_debugger(
        |_, dbg| dbg,
        move |mut ctx, event, node, source, pos| {
            // Taken out while it runs: what the REPL evaluates calls primitives (which borrow
            // the state) and re-enters this callback, which then finds no hook and goes on.
            let Some(mut hook) = shared.borrow_mut().take_debug_hook() else {
                return Ok(DebuggerCommand::Continue);
            };
            // An `import` evaluates its module with this engine: the module's own start and
            // end are not the runbook's (its end read as "the runbook has run to its end").
            let in_module = source.is_some_and(crate::stdlib::is_module_file);
            let bounds = matches!(event, DebuggerEvent::Start | DebuggerEvent::End);
            let kind = stop_kind(&event, &node).filter(|_| !(bounds && in_module));
            if let Some((kind, call)) = kind {
                let runbook = shared.borrow().runbook_file.clone();
                let origin = debug::origin_in(
                    &runbook,
                    source,
                    pos,
                    ctx.global_runtime_state().debugger().call_stack(),
                );
                let mut pause = debug::RhaiPause {
                    ctx: &mut ctx,
                    kind,
                    origin,
                    call,
                    state: shared.clone(),
                    stop: false,
                };
                hook(&mut pause);
                if pause.stop {
                    shared.borrow_mut().put_debug_hook(hook);
                    return Err(Box::new(EvalAltResult::ErrorTerminated(
                        Dynamic::from("the operator ended the session"),
                        pos,
                    )));
                }
            }
            shared.borrow_mut().put_debug_hook(hook);
            Ok(DebuggerCommand::StepInto)
        },
    );

    register_handles(&mut engine);
    register_primitives(&mut engine, &state);
    register_queries(&mut engine, &state);
    register_misc(&mut engine, &state);
    engine
}

/// Where in the runbook the current native call comes from.
fn origin_of(ctx: &NativeCallContext, state: &Shared) -> Origin {
    let runbook = state.borrow().runbook_file.clone();
    // The debugger registered in `build_engine` makes `debugger()` always present.
    debug::origin_in(
        &runbook,
        ctx.call_source(),
        ctx.call_position(),
        ctx.global_runtime_state().debugger().call_stack(),
    )
}

/// What kind of pause a debugger event is, and the call to preview there.
fn stop_kind(event: &DebuggerEvent, node: &ASTNode) -> Option<(StopKind, Option<Expr>)> {
    let primitive = |f: &FnCallExpr| f.namespace.is_empty() && table::is_step(f.name.as_str());
    match (event, node) {
        (DebuggerEvent::Start, _) => Some((StopKind::Start, None)),
        (DebuggerEvent::End, _) => Some((StopKind::End, None)),
        (_, ASTNode::Stmt(Stmt::FnCall(f, pos))) if primitive(f) => Some((
            StopKind::Call {
                primitive: f.name.to_string(),
                statement: true,
            },
            Some(Expr::FnCall(f.clone(), *pos)),
        )),
        (_, ASTNode::Expr(Expr::FnCall(f, pos))) if primitive(f) => Some((
            StopKind::Call {
                primitive: f.name.to_string(),
                statement: false,
            },
            Some(Expr::FnCall(f.clone(), *pos)),
        )),
        (_, ASTNode::Stmt(Stmt::Noop(_))) => None,
        (_, ASTNode::Stmt(_)) => Some((StopKind::Statement, None)),
        _ => None,
    }
}

/// A `Failure` as the Rhai error that carries it to the diagnostic (or to a `catch`).
fn raise(ctx: &NativeCallContext, failure: Failure) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(failure),
        ctx.call_position(),
    ))
}

/// Registers a volatile native function: Rhai's optimizer must never call it at compile
/// time, and every call gets the runbook origin and the run state.
macro_rules! primitive {
    ($engine:expr, $state:expr, $name:expr, |$st:ident, $origin:ident $(, $arg:ident : $ty:ty)*| $body:expr) => {{
        let shared = $state.clone();
        FuncRegistration::new($name)
            .with_volatility(true)
            .with_comments(comments($name))
            .register_into_engine(
                $engine,
                move |ctx: NativeCallContext $(, $arg: $ty)*| -> Result<Dynamic, Box<EvalAltResult>> {
                    let $origin = origin_of(&ctx, &shared);
                    let mut guard = shared.borrow_mut();
                    let $st: &mut RunState = &mut guard;
                    #[allow(clippy::redundant_closure_call)]
                    let result: Result<Dynamic, Failure> = (|| -> Result<Dynamic, Failure> { $body })();
                    result.map_err(|f| raise(&ctx, f))
                },
            );
    }};
}

/// The table's doc line of `name` as Rhai doc comments: the definition files
/// (`crate::definitions`) carry them to editors, for completion and hover.
fn comments(name: &str) -> Vec<String> {
    table::find(name)
        .map(|p| vec![format!("/// {}", p.doc)])
        .unwrap_or_default()
}

/// A handle constructor; pure, so it is not volatile.
fn constructor(engine: &mut Engine, name: &'static str, kind: ResourceKind, regional: bool) {
    let registration = FuncRegistration::new(name).with_comments(comments(name));
    if regional {
        registration.register_into_engine(
            engine,
            move |ctx: NativeCallContext,
                  id: &str,
                  region: &str|
                  -> Result<Handle, Box<EvalAltResult>> {
                handles::make(kind, id, Some(region)).map_err(|f| raise(&ctx, f))
            },
        );
    } else {
        registration.register_into_engine(
            engine,
            move |ctx: NativeCallContext, id: &str| -> Result<Handle, Box<EvalAltResult>> {
                handles::make(kind, id, None).map_err(|f| raise(&ctx, f))
            },
        );
    }
}

fn register_handles(engine: &mut Engine) {
    engine.register_type_with_name::<Handle>("Handle");
    engine.register_type_with_name::<Failure>("Failure");
    // Every kind but records, whose address also needs a zone and a type, and ECS services,
    // which also need their cluster (below); the tests check this registers exactly the
    // table's constructors.
    for kind in ResourceKind::ALL {
        if !matches!(kind, ResourceKind::Record | ResourceKind::EcsService) {
            constructor(engine, kind.constructor(), kind, kind.info().regional);
        }
    }
    FuncRegistration::new("ecs_service")
        .with_comments(comments("ecs_service"))
        .register_into_engine(
            engine,
            |ctx: NativeCallContext,
             cluster: &str,
             name: &str,
             region: &str|
             -> Result<Handle, Box<EvalAltResult>> {
                handles::make_ecs_service(cluster, name, region).map_err(|f| raise(&ctx, f))
            },
        );
    FuncRegistration::new("record")
        .with_comments(comments("record"))
        .register_into_engine(
            engine,
            |ctx: NativeCallContext,
             zone: Handle,
             name: &str,
             rtype: &str|
             -> Result<Handle, Box<EvalAltResult>> {
                handles::make_record(&zone, name, rtype, None).map_err(|f| raise(&ctx, f))
            },
        );
    FuncRegistration::new("record")
        .with_comments(comments("record"))
        .register_into_engine(
            engine,
            |ctx: NativeCallContext,
             zone: Handle,
             name: &str,
             rtype: &str,
             set_id: &str|
             -> Result<Handle, Box<EvalAltResult>> {
                handles::make_record(&zone, name, rtype, Some(set_id)).map_err(|f| raise(&ctx, f))
            },
        );
    // Getters carry doc comments for the definition files (`crate::definitions`).
    FuncRegistration::new_getter("kind")
        .with_comments(["/// the handle's constructor: `asg`, `db_cluster`, ..."])
        .register_into_engine(engine, |h: &mut Handle| h.kind_word().to_string());
    FuncRegistration::new_getter("name")
        .with_comments(["/// the name or id the handle addresses"])
        .register_into_engine(engine, |h: &mut Handle| h.0.name().to_string());
    FuncRegistration::new_getter("region")
        .with_comments(["/// the handle's region, or () for a global resource"])
        .register_into_engine(engine, |h: &mut Handle| -> Dynamic {
            h.0.region()
                .map(|r| Dynamic::from(r.to_string()))
                .unwrap_or(Dynamic::UNIT)
        });
    engine.register_fn("to_string", |h: &mut Handle| h.to_string());
    engine.register_fn("to_debug", |h: &mut Handle| h.to_string());
    engine.register_fn("==", |a: Handle, b: Handle| a == b);
    engine.register_fn("!=", |a: Handle, b: Handle| a != b);
    FuncRegistration::new_getter("code")
        .with_comments(["/// the failure's code: AWS's error code, or ripcord's"])
        .register_into_engine(engine, |f: &mut Failure| f.code.clone());
    FuncRegistration::new_getter("message")
        .with_comments(["/// the failure's message"])
        .register_into_engine(engine, |f: &mut Failure| f.message.clone());
    engine.register_fn("to_string", |f: &mut Failure| f.message.clone());
    engine.register_fn("to_debug", |f: &mut Failure| {
        format!("{} ({})", f.message, f.code)
    });
}

fn register_primitives(engine: &mut Engine, state: &Shared) {
    primitive!(engine, state, "runbook", |st, _o, meta: Map| {
        runbook::declare(st, meta).map(|()| Dynamic::UNIT)
    });
    primitive!(engine, state, "snapshot", |st, o, h: Handle| {
        snapshots::snapshot(st, o, &h, Map::new())
    });
    primitive!(engine, state, "snapshot", |st, o, h: Handle, opts: Map| {
        snapshots::snapshot(st, o, &h, opts)
    });
    primitive!(
        engine,
        state,
        "copy_snapshot",
        |st, o, h: Handle, to: &str| snapshots::copy_snapshot(st, o, &h, to, Map::new())
    );
    primitive!(
        engine,
        state,
        "copy_snapshot",
        |st, o, h: Handle, to: &str, opts: Map| snapshots::copy_snapshot(st, o, &h, to, opts)
    );
    primitive!(
        engine,
        state,
        "restore_volume",
        |st, o, h: Handle, az: &str| ec2::restore_volume(st, o, &h, az, Map::new())
    );
    primitive!(
        engine,
        state,
        "restore_volume",
        |st, o, h: Handle, az: &str, opts: Map| ec2::restore_volume(st, o, &h, az, opts)
    );
    primitive!(engine, state, "restore_db", |st, o, h: Handle, id: &str| {
        rds::restore_db(st, o, &h, id, Map::new())
    });
    primitive!(
        engine,
        state,
        "restore_db",
        |st, o, h: Handle, id: &str, opts: Map| rds::restore_db(st, o, &h, id, opts)
    );
    primitive!(engine, state, "promote", |st, o, h: Handle| {
        rds::promote_replica(st, o, &h)
    });
    primitive!(engine, state, "promote", |st, o, g: Handle, c: Handle| {
        aurora::promote_global(st, o, &g, &c)
    });
    primitive!(
        engine,
        state,
        "failover_global",
        |st, o, g: Handle, c: Handle| aurora::move_global_writer(st, o, &g, &c, false, Map::new())
    );
    primitive!(
        engine,
        state,
        "failover_global",
        |st, o, g: Handle, c: Handle, opts: Map| aurora::move_global_writer(
            st, o, &g, &c, false, opts
        )
    );
    primitive!(
        engine,
        state,
        "switchover_global",
        |st, o, g: Handle, c: Handle| aurora::move_global_writer(st, o, &g, &c, true, Map::new())
    );
    primitive!(
        engine,
        state,
        "create_global",
        |st, o, g: Handle, c: Handle| aurora::create_global(st, o, &g, &c)
    );
    primitive!(
        engine,
        state,
        "delete_global",
        |st, o, g: Handle, region: &str| aurora::delete_global(st, o, &g, region)
    );
    primitive!(
        engine,
        state,
        "delete_cluster",
        |st, o, c: Handle, snapshot: &str| aurora::delete_cluster(st, o, &c, snapshot)
    );
    primitive!(
        engine,
        state,
        "create_secondary",
        |st, o, g: Handle, c: Handle| aurora::create_secondary(st, o, &g, &c)
    );
    primitive!(engine, state, "delete_instance", |st, o, h: Handle| {
        rds::delete_instance(st, o, &h, None)
    });
    primitive!(
        engine,
        state,
        "add_instance",
        |st, o, c: Handle, id: &str| aurora::add_instance(st, o, &c, id, Map::new())
    );
    primitive!(
        engine,
        state,
        "add_instance",
        |st, o, c: Handle, id: &str, opts: Map| aurora::add_instance(st, o, &c, id, opts)
    );
    primitive!(
        engine,
        state,
        "delete_instance",
        |st, o, h: Handle, snapshot: &str| rds::delete_instance(st, o, &h, Some(snapshot))
    );
    primitive!(
        engine,
        state,
        "create_replica",
        |st, o, h: Handle, source: Handle| rds::create_replica(st, o, &h, &source, Map::new())
    );
    primitive!(
        engine,
        state,
        "create_replica",
        |st, o, h: Handle, source: Handle, opts: Map| rds::create_replica(st, o, &h, &source, opts)
    );
    primitive!(engine, state, "force_failover", |st, o, h: Handle| {
        rds::force_failover(st, o, &h)
    });
    primitive!(engine, state, "scale", |st, o, h: Handle, opts: Map| {
        autoscaling::scale(st, o, &h, opts)
    });
    primitive!(engine, state, "flip_dns", |st, o, h: Handle, opts: Map| {
        route53::flip_dns(st, o, &h, opts)
    });
    primitive!(
        engine,
        state,
        "set_weight",
        |st, o, h: Handle, weight: i64| route53::set_weight(st, o, &h, weight)
    );
    primitive!(
        engine,
        state,
        "add_replica",
        |st, o, h: Handle, region: &str| dynamodb::replica(st, o, &h, region, true)
    );
    primitive!(
        engine,
        state,
        "remove_replica",
        |st, o, h: Handle, region: &str| dynamodb::replica(st, o, &h, region, false)
    );
    primitive!(
        engine,
        state,
        "require_replica",
        |st, o, h: Handle, region: &str| dynamodb::require_replica(st, o, &h, region)
    );
    primitive!(engine, state, "flip_dns_batch", |st, o, changes: Array| {
        route53::flip_dns_batch(st, o, changes)
    });
    primitive!(engine, state, "disable_health_check", |st, o, h: Handle| {
        route53::set_health_check(st, o, &h, true)
    });
    primitive!(engine, state, "enable_health_check", |st, o, h: Handle| {
        route53::set_health_check(st, o, &h, false)
    });
    primitive!(engine, state, "invert_health_check", |st, o, h: Handle| {
        route53::invert_health_check(st, o, &h, true)
    });
    primitive!(
        engine,
        state,
        "invert_health_check",
        |st, o, h: Handle, inverted: bool| route53::invert_health_check(st, o, &h, inverted)
    );
    primitive!(
        engine,
        state,
        "enable_replication",
        |st, o, h: Handle, dest: &str, opts: Map| s3::enable_replication(st, o, &h, dest, opts)
    );
    primitive!(
        engine,
        state,
        "require_replication",
        |st, o, h: Handle, region: &str| s3::require_replication(st, o, &h, region)
    );
    primitive!(
        engine,
        state,
        "notify",
        |st, o, h: Handle, subject: &str, message: &str| sns::notify(st, o, &h, subject, message)
    );
    primitive!(engine, state, "wait", |st, o, h: Handle, until: &str| {
        waits::wait(st, o, &h, until, None)
    });
    primitive!(
        engine,
        state,
        "wait",
        |st, o, h: Handle, until: &str, timeout: Dynamic| {
            duration_of(&timeout)
                .map_err(|m| Failure::invalid(format!("`wait` timeout: {m}")))
                .and_then(|t| waits::wait(st, o, &h, until, Some(t)))
        }
    );
    primitive!(engine, state, "approve", |st, o, message: &str| {
        waits::approve(st, o, message)
    });

    // `parallel` calls back into Rhai, so it must not hold the state borrow across the calls.
    let shared = state.clone();
    let registration = FuncRegistration::new("parallel")
        .with_volatility(true)
        .with_comments(comments("parallel"));
    registration.register_into_engine(
        engine,
        move |ctx: NativeCallContext, branches: Array| -> Result<Array, Box<EvalAltResult>> {
            let mut fns = Vec::with_capacity(branches.len());
            for (i, branch) in branches.into_iter().enumerate() {
                match branch.try_cast::<FnPtr>() {
                    Some(f) => fns.push(f),
                    None => {
                        return Err(raise(
                            &ctx,
                            Failure::invalid(format!("element {i} of `parallel([...])` is not a closure"))
                                .with_code(codes::ARGUMENT_TYPE)
                                .with_help("write each branch as a closure: parallel([|| scale(web, ...), || scale(app, ...)])"),
                        ))
                    }
                }
            }
            let started = shared.borrow_mut().begin_parallel().map_err(|f| raise(&ctx, f))?;
            let mut results = Array::with_capacity(fns.len());
            for f in fns {
                if let Err(f) = shared.borrow_mut().begin_branch() {
                    let _ = shared.borrow_mut().end_parallel(started);
                    return Err(raise(&ctx, f));
                }
                match f.call_within_context::<Dynamic>(&ctx, ()) {
                    Ok(value) => results.push(value),
                    Err(err) => {
                        // Keep the partial group in the plan; the branch's error is the run's.
                        let _ = shared.borrow_mut().end_parallel(started);
                        return Err(err);
                    }
                }
            }
            shared.borrow_mut().end_parallel(started).map_err(|f| raise(&ctx, f))?;
            Ok(results)
        },
    );
}

fn register_queries(engine: &mut Engine, state: &Shared) {
    use ResourceKind as K;
    primitive!(engine, state, "exists", |st, _o, h: Handle| {
        queries::describe(st, &h).map(|d| Dynamic::from(!d.is_unit()))
    });
    primitive!(engine, state, "describe", |st, _o, h: Handle| {
        queries::describe(st, &h)
    });
    let fields: &[(&'static str, &'static [ResourceKind], &'static str)] = &[
        ("min_size", &[K::Asg], "min_size"),
        ("max_size", &[K::Asg], "max_size"),
        ("in_service", &[K::Asg], "in_service"),
        ("running", &[K::EcsService], "running_count"),
        ("replicas", &[K::Table], "replicas"),
        ("weight", &[K::Record], "weight"),
        ("az", &[K::DbInstance], "availability_zone"),
        ("multi_az", &[K::DbInstance], "multi_az"),
        ("disabled", &[K::HealthCheck], "disabled"),
        ("inverted", &[K::HealthCheck], "inverted"),
        ("replication", &[K::Bucket], "replication"),
    ];
    for &(name, kinds, key) in fields {
        primitive!(engine, state, name, |st, _o, h: Handle| queries::field(
            st, &h, name, kinds, key
        ));
    }
    primitive!(engine, state, "desired", |st, _o, h: Handle| {
        let key = match h.kind() {
            K::EcsService => "desired_count",
            _ => "desired_capacity",
        };
        queries::field(st, &h, "desired", &[K::Asg, K::EcsService], key)
    });
    primitive!(engine, state, "streams", |st, _o, h: Handle| {
        queries::field(st, &h, "streams", &[K::Table], "stream_view_type")
            .map(|v| Dynamic::from(!v.is_unit()))
    });
    primitive!(engine, state, "status", |st, _o, h: Handle| {
        let key = match h.kind() {
            K::EbsSnapshot | K::Volume => "state",
            _ => "status",
        };
        queries::field(
            st,
            &h,
            "status",
            &[
                K::DbInstance,
                K::DbCluster,
                K::DbSnapshot,
                K::DbClusterSnapshot,
                K::EbsSnapshot,
                K::Volume,
                K::GlobalCluster,
                K::DnsChange,
                K::Table,
            ],
            key,
        )
    });
    primitive!(engine, state, "is_replica", |st, _o, h: Handle| {
        queries::field(
            st,
            &h,
            "is_replica",
            &[K::DbInstance],
            "read_replica_source",
        )
        .map(|v| Dynamic::from(!v.is_unit()))
    });
    primitive!(engine, state, "replica_lag", |st, _o, h: Handle| {
        let key = if h.kind() == K::DbCluster {
            "replication_lag_secs"
        } else {
            "replica_lag_secs"
        };
        queries::field(st, &h, "replica_lag", &[K::DbInstance, K::DbCluster], key)
    });
    primitive!(engine, state, "latest_snapshot", |st, _o, h: Handle| {
        queries::latest_snapshot(st, &h)
    });
    primitive!(engine, state, "snapshot_age", |st, _o, h: Handle| {
        queries::snapshot_age(st, &h)
    });
    primitive!(
        engine,
        state,
        "writer",
        |st, _o, h: Handle| queries::writer(st, &h)
    );
    primitive!(engine, state, "reachable", |st, _o, region: &str| {
        queries::reachable(st, region)
    });
}

fn register_misc(engine: &mut Engine, state: &Shared) {
    primitive!(engine, state, "now", |st, _o| time::now(st));
    primitive!(engine, state, "elapsed", |st, _o| time::elapsed(st));
    FuncRegistration::new("duration")
        .with_comments(comments("duration"))
        .register_into_engine(
            engine,
            |ctx: NativeCallContext, text: &str| -> Result<Dynamic, Box<EvalAltResult>> {
                time::duration(text).map_err(|f| raise(&ctx, f))
            },
        );
    FuncRegistration::new("fmt_duration")
        .with_comments(comments("fmt_duration"))
        .register_into_engine(engine, time::fmt_duration);
    // `print` becomes a note in the plan, in order with the steps. Registered on the engine
    // itself, these overloads take precedence over the standard package's.
    primitive!(engine, state, "print", |st, o, text: &str| {
        st.note(text.to_string(), o);
        Ok(Dynamic::UNIT)
    });
    // The standard package has exact-typed `print` overloads; the engine's own functions are
    // searched first for the same signature, so each type gets one here.
    macro_rules! print_as_note {
        ($($ty:ty),*) => {$(
            primitive!(engine, state, "print", |st, o, value: $ty| {
                st.note(Dynamic::from(value).to_string(), o);
                Ok(Dynamic::UNIT)
            });
        )*};
    }
    print_as_note!(bool, i64, f64, char, Array, Map, (), Dynamic);
    // A handle or a failure prints as messages name it, not as its Rust type's name.
    primitive!(engine, state, "print", |st, o, handle: Handle| {
        st.note(handle.to_string(), o);
        Ok(Dynamic::UNIT)
    });
    primitive!(engine, state, "print", |st, o, failure: Failure| {
        st.note(failure.message, o);
        Ok(Dynamic::UNIT)
    });
    primitive!(engine, state, "warn", |st, o, text: &str| {
        st.warn(text.to_string(), o);
        Ok(Dynamic::UNIT)
    });
    primitive!(engine, state, "warn", |st, o, failure: Failure| {
        st.warn(failure.message, o);
        Ok(Dynamic::UNIT)
    });
    // `debug` too has exact-typed overloads in the standard package; each type gets one here,
    // rendered as the REPL shows values (strings quoted, handles by what they name).
    primitive!(engine, state, "debug", |st, o, text: &str| {
        st.note(format!("{text:?}"), o);
        Ok(Dynamic::UNIT)
    });
    macro_rules! debug_as_note {
        ($($ty:ty),*) => {$(
            primitive!(engine, state, "debug", |st, o, value: $ty| {
                st.note(debug::render(&Dynamic::from(value)), o);
                Ok(Dynamic::UNIT)
            });
        )*};
    }
    debug_as_note!(bool, i64, f64, char, Array, Map, Handle, Failure, Dynamic);
    primitive!(engine, state, "debug", |st, o, _unit: ()| {
        st.note("()".to_string(), o);
        Ok(Dynamic::UNIT)
    });
    // A blocking sleep would freeze the REPL and lie to the dry-run clock.
    macro_rules! refuse_sleep {
        ($($ty:ty),*) => {$(
            primitive!(engine, state, "sleep", |_st, _o, _secs: $ty| {
                Err(Failure::invalid("`sleep` is not available in runbooks")
                    .with_help("use wait(handle, state, timeout) to wait for AWS, or approve(...) to wait for a person"))
            });
        )*};
    }
    refuse_sleep!(i64, f64, Dynamic);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::parse_signatures;
    use std::collections::{BTreeMap, BTreeSet};

    /// Rhai's own conversions, overloaded for `Handle` and `Failure` so that they print well:
    /// methods of the language, not functions of ripcord's.
    const CONVERSIONS: &[&str] = &["to_string", "to_debug"];

    /// Every function registered here is in the table with the same arities, and every
    /// entry of the table is registered: a primitive cannot be half-added.
    #[test]
    fn registers_exactly_the_table_of_primitives() {
        let state: Shared = Rc::new(RefCell::new(RunState::new("test.rhai")));
        let engine = build_engine(state, Limits::default());
        // `false`: the engine's own functions, without the standard package.
        let mut registered: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for known in parse_signatures(&engine.gen_fn_signatures(false)) {
            if !CONVERSIONS.contains(&known.name.as_str()) {
                registered
                    .entry(known.name)
                    .or_default()
                    .insert(known.arity);
            }
        }
        let mut problems = Vec::new();
        for (name, arities) in &registered {
            match table::find(name) {
                None => problems.push(format!(
                    "`{name}` is registered but has no row in PRIMITIVES \
                     (crates/ripcord-interp/src/primitives/table.rs): add one"
                )),
                Some(p) => {
                    let listed: BTreeSet<usize> = p.arities.iter().copied().collect();
                    if &listed != arities {
                        problems.push(format!(
                            "`{name}` is registered taking {arities:?} arguments, \
                             but its row in PRIMITIVES says {listed:?}"
                        ));
                    }
                }
            }
        }
        for p in table::PRIMITIVES {
            if !registered.contains_key(p.name) {
                problems.push(format!(
                    "`{}` has a row in PRIMITIVES but register.rs does not register it",
                    p.name
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The REPL pauses before exactly the table's steps.
    #[test]
    fn pauses_before_the_tables_steps_only() {
        for p in table::PRIMITIVES {
            let script = format!("{}({})", p.name, vec!["1"; p.arities[0]].join(", "));
            let engine = Engine::new_raw();
            let ast = engine.compile(&script).unwrap();
            let mut found = None;
            ast.walk(&mut |path: &[ASTNode]| {
                if let Some(node) = path.last() {
                    if let Some((kind, _)) = stop_kind(&DebuggerEvent::Step, node) {
                        found.get_or_insert(kind);
                    }
                }
                true
            });
            let pauses = matches!(found, Some(StopKind::Call { .. }));
            assert_eq!(pauses, p.is_step(), "{script}");
        }
    }
}
