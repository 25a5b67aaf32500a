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
    /// No call undoes it: why, for the reviewer, and what a person can do instead.
    Irreversible(String),
}

impl Inverse {
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
