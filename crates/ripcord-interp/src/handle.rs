//! `Handle`: the Rhai value a runbook holds for a resource (a `Target` with Rhai methods).

use ripcord_core::{ResourceKind, Target};
use std::fmt;

/// A resource handle as a Rhai custom type; its name in scripts and messages is `Handle`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(pub Target);

impl Handle {
    pub fn kind(&self) -> ResourceKind {
        self.0.kind()
    }

    /// The constructor word for messages: `asg`, `db_cluster`, ...
    pub fn kind_word(&self) -> &'static str {
        self.0.kind().constructor()
    }
}

impl fmt::Display for Handle {
    /// `asg dr-web-asg (us-west-2)`, `record www.example.com A (Primary) in example.com`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Target::Record { zone, .. } => write!(f, "record {} in {zone}", self.0),
            target => match target.region() {
                Some(region) => write!(f, "{} {} ({region})", self.kind_word(), target),
                None => write!(f, "{} {}", self.kind_word(), target),
            },
        }
    }
}
