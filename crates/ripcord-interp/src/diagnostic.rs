//! `RunbookError`: every runbook problem as a miette diagnostic with a code, a label and help.

use crate::codes;
use crate::failure::Failure;
use crate::sources::Sources;
use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode, SourceSpan};
use rhai::{EvalAltResult, ParseErrorType, Position};
use ripcord_core::span::{offset_of, token_len};
use std::fmt;

/// A problem in a runbook: where (file, line, column), what, and what to do about it.
#[derive(Debug, Clone)]
pub struct RunbookError {
    /// Stable code, e.g. `ripcord::syntax`, `ripcord::aws::ValidationError` (docs/errors.md).
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    /// The file the label points into (the runbook, or a stdlib module).
    pub file: String,
    /// 1-based line and column (in characters); 0 when unknown.
    pub line: usize,
    pub column: usize,
    pub label: String,
    pub severity: Severity,
    src: NamedSource<String>,
    span: Option<SourceSpan>,
}

/// Converts a Rhai position in `source` to a miette span covering the token there.
///
/// The one place where Rhai's (line, column-in-characters) becomes a byte range: columns count
/// characters, so a label after `é` or `☕` must skip their extra bytes.
pub fn span_of(source: &str, pos: Position) -> Option<SourceSpan> {
    let line = pos.line()?;
    let column = pos.position().unwrap_or(1);
    let offset = offset_of(source, line, column);
    Some(SourceSpan::from((offset, token_len(source, offset).max(1))))
}

impl RunbookError {
    /// An error at a position in one of the sources.
    pub fn at(
        sources: &Sources,
        file: &str,
        pos: Position,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> RunbookError {
        let text = sources.text(file).unwrap_or_default().to_string();
        let span = span_of(&text, pos);
        RunbookError {
            code: code.into(),
            message: message.into(),
            help: None,
            file: file.to_string(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            label: "here".to_string(),
            severity: Severity::Error,
            src: NamedSource::new(file, text),
            span,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> RunbookError {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> RunbookError {
        self.label = label.into();
        self
    }

    pub fn warning(mut self) -> RunbookError {
        self.severity = Severity::Warning;
        self
    }

    /// `file:line:column`, for one-line reports.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }

    /// Converts a Rhai parse error.
    pub fn from_parse(sources: &Sources, file: &str, err: &rhai::ParseError) -> RunbookError {
        let (kind, pos) = (&*err.0, err.1);
        let (code, message, help) = match kind {
            ParseErrorType::VariableUndefined(name) => (
                codes::UNDEFINED_VARIABLE,
                format!("variable `{name}` is not defined"),
                format!("declare it first: `let {name} = ...;` (runbooks use strict variables)"),
            ),
            ParseErrorType::ModuleUndefined(name) => (
                codes::UNDEFINED_VARIABLE,
                format!("module `{name}` is not imported"),
                format!("import it first: `import \"ripcord/...\" as {name};`"),
            ),
            other => (
                codes::SYNTAX,
                format!("syntax error: {other}"),
                "see docs/reference.md for the runbook language".to_string(),
            ),
        };
        RunbookError::at(sources, file, pos, code, message)
            .with_help(help)
            .with_label("syntax")
    }

    /// Converts a Rhai evaluation error, pointing the label at the runbook line that caused it.
    pub fn from_eval(sources: &Sources, runbook: &str, err: &EvalAltResult) -> RunbookError {
        // Unwrap calls into functions: the innermost error is the real one; the frames say
        // where the runbook called into a (stdlib) function.
        let mut frames: Vec<(String, String, Position)> = Vec::new();
        let mut current = err;
        let mut current_source = runbook.to_string();
        loop {
            match current {
                EvalAltResult::ErrorInFunctionCall(name, source, inner, pos) => {
                    frames.push((name.clone(), current_source.clone(), *pos));
                    if !source.is_empty() {
                        current_source = source.clone();
                    }
                    current = inner;
                }
                EvalAltResult::ErrorInModule(_, inner, _) => current = inner,
                _ => break,
            }
        }
        let pos = current.position();
        let (code, message, help) = describe(current, sources);
        let in_runbook = current_source == runbook || sources.text(&current_source).is_none();
        let mut error = if in_runbook {
            RunbookError::at(sources, runbook, pos, code, message)
        } else {
            // The error sits in a stdlib function: label the runbook line that called it and
            // say where inside the library it happened.
            let call_site = frames
                .iter()
                .rev()
                .find(|(_, source, _)| source == runbook)
                .map(|(_, _, p)| *p)
                .unwrap_or(Position::NONE);
            let inner = format!(
                "{}:{}:{}",
                current_source,
                pos.line().unwrap_or(0),
                pos.position().unwrap_or(0)
            );
            RunbookError::at(sources, runbook, call_site, code, message)
                .with_label(format!("fails inside this call (at {inner})"))
        };
        error.help = help;
        if error.label == "here" {
            let code = error.code.as_str();
            error.label = match code.strip_prefix(codes::AWS) {
                Some("Cancelled") => "cancelled here",
                Some(aws) if aws.ends_with("Timeout") => "timed out here",
                Some(_) => "rejected here",
                None if code == codes::UNKNOWN_FUNCTION => "unknown function",
                None if code == codes::ARGUMENT_TYPE => "wrong arguments",
                None if code.starts_with(codes::LIMIT_PREFIX) => "limit reached here",
                None => "here",
            }
            .to_string();
        }
        error
    }
}

/// Code, message and help for one (innermost) Rhai evaluation error.
fn describe(err: &EvalAltResult, sources: &Sources) -> (String, String, Option<String>) {
    let s = |x: &str| x.to_string();
    match err {
        EvalAltResult::ErrorRuntime(value, _) => {
            if let Some(failure) = value.clone().try_cast::<Failure>() {
                (failure.code, failure.message, failure.help)
            } else {
                (
                    s(codes::THROWN),
                    format!("runbook stopped: {value}"),
                    Some(s("raised with `throw` in the runbook")),
                )
            }
        }
        EvalAltResult::ErrorFunctionNotFound(signature, _) => {
            let name = signature.split([' ', '(']).next().unwrap_or(signature);
            let known = sources.functions();
            let is_operator = name
                .chars()
                .next()
                .is_some_and(|c| !(c.is_alphanumeric() || c == '_'));
            if is_operator {
                // `"x" * 3` is no misspelt function: a did-you-mean would point at a name.
                let operands = signature[name.len()..]
                    .trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')');
                (
                    s(codes::ARGUMENT_TYPE),
                    format!(
                        "`{name}` does not apply to {}",
                        friendly_operands(operands)
                    ),
                    Some(s("convert an operand first: `to_string(x)`, `parse_int(text)`, `to_float(n)`")),
                )
            } else if known.iter().any(|k| k.name == name) {
                let expected: Vec<String> = known
                    .iter()
                    .filter(|k| k.name == name)
                    .map(|k| k.signature.clone())
                    .collect();
                (
                    s(codes::ARGUMENT_TYPE),
                    format!("wrong arguments for `{name}`: called as {signature}"),
                    Some(format!("expected {}", expected.join(" or "))),
                )
            } else {
                let help = crate::suggest::closest_function(
                    name,
                    std::iter::empty(),
                    known.iter().map(|k| k.name.as_str()),
                )
                    .map(|close| format!("did you mean `{close}`? (docs/reference.md lists the primitives)"))
                    .unwrap_or_else(|| s("docs/reference.md lists the primitives and queries"));
                (
                    s(codes::UNKNOWN_FUNCTION),
                    format!("unknown function `{signature}`"),
                    Some(help),
                )
            }
        }
        EvalAltResult::ErrorVariableNotFound(name, _) => (
            s(codes::UNDEFINED_VARIABLE),
            format!("variable `{name}` is not defined"),
            Some(format!("declare it first: `let {name} = ...;`")),
        ),
        EvalAltResult::ErrorMismatchDataType(expected, actual, _)
        | EvalAltResult::ErrorMismatchOutputType(expected, actual, _) => (
            s(codes::ARGUMENT_TYPE),
            format!("expected {expected}, found {actual}"),
            None,
        ),
        EvalAltResult::ErrorTooManyOperations(_) => (
            s(codes::LIMIT_OPERATIONS),
            "the runbook exceeded its operation limit".to_string(),
            Some(s("an endless loop? runbooks are limited to 1,000,000 operations (docs/reference.md)")),
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            s(codes::LIMIT_CALL_DEPTH),
            "function calls nest too deeply".to_string(),
            Some(s("endless recursion? runbooks may nest calls 64 deep")),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => (
            s(codes::LIMIT_SIZE),
            format!("{what} exceeds the runbook's size limit"),
            Some(s("strings are limited to 64 KiB, arrays to 100,000 elements, maps to 10,000 properties")),
        ),
        EvalAltResult::ErrorTooManyModules(_) | EvalAltResult::ErrorTooManyVariables(_) => (
            s(codes::LIMIT_SIZE),
            strip_position(&err.to_string()),
            None,
        ),
        EvalAltResult::ErrorModuleNotFound(name, _) => (
            s(codes::IMPORT),
            format!("no standard-library module named \"{name}\""),
            Some(format!(
                "runbooks can import only the embedded standard library: {}",
                crate::stdlib::names()
            )),
        ),
        EvalAltResult::ErrorTerminated(..) => (
            s(codes::CANCELLED),
            "the run was cancelled".to_string(),
            None,
        ),
        EvalAltResult::ErrorPropertyNotFound(name, _) => (
            s(codes::RUNTIME),
            format!("no property `{name}`"),
            Some(s("handles have .kind, .name and .region; object maps only the keys they were given")),
        ),
        other => (s(codes::RUNTIME), strip_position(&other.to_string()), None),
    }
}

/// Rhai appends " (line L, position C)" to its messages; the label shows the position instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

impl fmt::Display for RunbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunbookError {}

impl Diagnostic for RunbookError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.span.map(|_| &self.src as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// Rhai's operand types as a runbook author knows them: `(&str | ImmutableString | String,
/// i64)` is "a string and an int".
fn friendly_operands(operands: &str) -> String {
    let names: Vec<&str> = operands
        .split(", ")
        .map(|ty| {
            let ty = ty.trim();
            if ty.contains("String") || ty == "&str" {
                "a string"
            } else if ty == "i64" {
                "an int"
            } else if ty == "f64" {
                "a float"
            } else if ty == "bool" {
                "a bool"
            } else if ty == "char" {
                "a char"
            } else if ty.ends_with("Array") || ty == "array" {
                "an array"
            } else if ty.ends_with("Map") || ty == "map" {
                "a map"
            } else if ty == "()" {
                "()"
            } else if ty.ends_with("Handle") {
                "a resource handle"
            } else {
                ty
            }
        })
        .collect();
    match names.as_slice() {
        [] => "no operands".to_string(),
        [one] => (*one).to_string(),
        [a, b] => format!("{a} and {b}"),
        more => more.join(", "),
    }
}
