//! The diagnostic codes the interpreter raises, declared once (docs/errors.md explains each).
//!
//! Code elsewhere in the crate names a code by its constant, never by a string literal, so
//! [`ALL`] is every code a runbook can meet; `tests/tidy.rs` checks both that and that
//! docs/errors.md has a row for each.

/// Declares each code as a constant and lists them all in [`ALL`], so that a code cannot be
/// added without being listed.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        $( $(#[$doc])* pub const $name: &str = $code; )*

        /// Every code, in docs/errors.md's order. [`AWS`] is a prefix: the backend's error
        /// code follows it.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

codes! {
    /// The script does not parse.
    SYNTAX = "ripcord::syntax";
    /// A variable or module alias used before `let` / `import`.
    UNDEFINED_VARIABLE = "ripcord::undefined_variable";
    /// No primitive, query or function of that name.
    UNKNOWN_FUNCTION = "ripcord::unknown_function";
    /// A known function called with the wrong number of arguments (`check`).
    ARGUMENT_COUNT = "ripcord::argument_count";
    /// The wrong kind of argument (a handle of another kind, an operand an operator refuses).
    ARGUMENT_TYPE = "ripcord::argument_type";
    /// A value a primitive refuses before anything is sent.
    INVALID_VALUE = "ripcord::invalid_value";
    /// A malformed region name, or one outside the runbook's declared regions.
    REGION = "ripcord::region";
    /// An import of anything but the embedded standard library.
    IMPORT = "ripcord::import";
    /// A query on a resource that does not exist.
    NOT_FOUND = "ripcord::not_found";
    /// The runbook stopped itself with `throw`.
    THROWN = "ripcord::thrown";
    /// A destructive call (deleting a DB cluster) without an approval earlier in the run.
    UNAPPROVED = "ripcord::unapproved";
    /// Warning: no `runbook(#{...})` declaration.
    UNDECLARED = "ripcord::undeclared";
    /// The operation limit.
    LIMIT_OPERATIONS = "ripcord::limit::operations";
    /// The call depth limit.
    LIMIT_CALL_DEPTH = "ripcord::limit::call_depth";
    /// The size limits (strings, arrays, maps, modules, variables).
    LIMIT_SIZE = "ripcord::limit::size";
    /// The operator stopped the run.
    CANCELLED = "ripcord::cancelled";
    /// A primitive ran without a backend.
    NO_BACKEND = "ripcord::no_backend";
    /// The backend answered something the interpreter cannot use.
    BACKEND = "ripcord::backend";
    /// Any other Rhai evaluation error.
    RUNTIME = "ripcord::runtime";
    /// A REPL preview stopped the step it evaluated before the backend; the preview takes the
    /// step, so a run never ends with it.
    PREVIEW = "ripcord::preview";
    /// A region, one of its services or a global control plane does not answer (`plan --down`,
    /// a region the capture could not read, or live: refused, timed out, 5xx after retries).
    /// A runbook can catch it and go on without that region.
    UNREACHABLE = "ripcord::unreachable";
    /// The backend refused a step: AWS's own error code follows (`ripcord::aws::ValidationError`).
    AWS = "ripcord::aws::";
}

/// The prefix shared by the limit codes, for the label "limit reached here".
pub const LIMIT_PREFIX: &str = "ripcord::limit::";

/// A backend refusal's code: [`AWS`] and the backend's code.
pub fn aws(code: &str) -> String {
    format!("{AWS}{code}")
}
