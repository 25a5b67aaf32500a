//! How a call is undone (`ripcord plan --inverse RUN_ID`): each operation's
//! [`crate::Operation::inverse`], from what the world held before the run.

use crate::call::Call;
use crate::target::Target;
use serde_json::Value;

/// What the world held before the run: a resource's description in the inventory's shape
/// (`docs/inventory.md`), `None` when it did not exist.
pub type Before<'a> = &'a dyn Fn(&Target) -> Option<Value>;

/// How one call is undone.
#[derive(Debug, Clone, PartialEq)]
pub enum Inverse {
    /// These calls put back what the call changed (none: there was nothing to undo).
    Calls(Vec<Call>),
    /// Replication is rebuilt: what a detach or a promotion ended cannot be joined again,
    /// it is made anew (the interpreter writes it with the standard library's
    /// `reestablish_replication`).
    Rebuild(Rebuild),
    /// No call undoes it: why, for the reviewer, and what a person can do instead.
    Irreversible(String),
}

/// A resource by name and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub region: String,
}

/// Replication made anew, as it was before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    /// An Aurora global database whose secondary `detached` was detached (and took writes
    /// since): a global database of the same id made from it, `writer` (the writer before
    /// the run) created again as its secondary, then the writer again by a switchover.
    GlobalDatabase {
        global: String,
        detached: Named,
        writer: Named,
        /// The writer's instances before the run (id, class), deleted with it and created
        /// again in it ([`Inverse::with_world`] fills them: a describe does not list them).
        instances: Vec<(String, String)>,
    },
    /// A read replica `promoted` (which took writes since) of `primary`: `primary` created
    /// again as a read replica of it (Multi-AZ as it was), promoted, and `promoted` a read
    /// replica of it again.
    ReadReplica {
        primary: Named,
        promoted: Named,
        multi_az: bool,
    },
}

impl Inverse {
    /// Completes what an operation cannot read through [`Before`] from the world before the
    /// run: the instances of a cluster whose replication is rebuilt.
    pub fn with_world(self, world: &crate::Inventory) -> Inverse {
        match self {
            Inverse::Rebuild(Rebuild::GlobalDatabase {
                global,
                detached,
                writer,
                ..
            }) => {
                let instances = world
                    .regions
                    .get(&writer.region)
                    .map(|r| {
                        r.db_instances
                            .iter()
                            .filter(|i| {
                                i.cluster
                                    .as_deref()
                                    .is_some_and(|c| c.eq_ignore_ascii_case(&writer.name))
                            })
                            .map(|i| (i.id.clone(), i.instance_class.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                Inverse::Rebuild(Rebuild::GlobalDatabase {
                    global,
                    detached,
                    writer,
                    instances,
                })
            }
            other => other,
        }
    }

    /// A call that created something that stays: the reviewer deletes it by hand if need be.
    pub fn created(what: &str) -> Inverse {
        Inverse::Irreversible(format!(
            "it created {what}, which stays; delete it by hand if it is not wanted"
        ))
    }
}

/// A field of a description as an integer.
pub(crate) fn int(found: &Value, field: &str) -> Option<i64> {
    found.get(field).and_then(Value::as_i64)
}

/// A field of a description as a bool (absent: false, the inventory's default).
pub(crate) fn flag(found: &Value, field: &str) -> bool {
    found.get(field).and_then(Value::as_bool).unwrap_or(false)
}
