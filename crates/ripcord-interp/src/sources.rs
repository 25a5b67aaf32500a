//! `Sources`: the texts a run can point into (the runbook, stdlib modules) and known functions.

use std::collections::BTreeMap;

/// A function the engine knows, for did-you-mean and wrong-argument messages.
#[derive(Debug, Clone)]
pub struct KnownFn {
    pub name: String,
    pub arity: usize,
    /// `scale(Handle, Map)`
    pub signature: String,
}

/// Source texts by file name, and the engine's function list.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: BTreeMap<String, String>,
    functions: Vec<KnownFn>,
}

impl Sources {
    pub fn new(functions: Vec<KnownFn>) -> Sources {
        let mut files = BTreeMap::new();
        for (name, text) in crate::stdlib::MODULES {
            files.insert(crate::stdlib::file_of(name), text.to_string());
        }
        Sources { files, functions }
    }

    pub fn add(&mut self, file: &str, text: &str) {
        self.files.insert(file.to_string(), text.to_string());
    }

    pub fn text(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(String::as_str)
    }

    pub fn functions(&self) -> &[KnownFn] {
        &self.functions
    }

    /// True when a function of that name takes that many arguments.
    pub fn knows(&self, name: &str, arity: usize) -> bool {
        self.functions
            .iter()
            .any(|f| f.name == name && f.arity == arity)
    }
}

/// Parses Rhai's `gen_fn_signatures` lines (`scale(_: Handle, _: Map) -> ()`) into name,
/// arity and a short signature; operators and getters are left out.
pub fn parse_signatures(lines: &[String]) -> Vec<KnownFn> {
    let mut known = Vec::new();
    for line in lines {
        let Some(open) = line.find('(') else { continue };
        let name = line[..open].trim();
        if name.is_empty()
            || name.contains('$')
            || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        // The parameters' own parentheses (`_: ()`) nest; the return type's come after.
        let close = closing(line, open).unwrap_or(line.len());
        let params = line[open + 1..close.max(open + 1)].trim();
        let params: Vec<String> = if params.is_empty() {
            Vec::new()
        } else {
            split_params(params)
                .into_iter()
                .map(|p| p.rsplit(':').next().unwrap_or(&p).trim().to_string())
                .collect()
        };
        known.push(KnownFn {
            name: name.to_string(),
            arity: params.len(),
            signature: format!("{name}({})", params.join(", ")),
        });
    }
    known.sort_by(|a, b| (&a.name, a.arity).cmp(&(&b.name, b.arity)));
    known.dedup_by(|a, b| a.name == b.name && a.signature == b.signature);
    known
}

/// The byte index of the `)` that closes the `(` at `open`.
fn closing(line: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, ch) in line[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' if depth == 1 => return Some(open + i),
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Splits `a: X, b: Y<Z, W>` at top-level commas.
fn split_params(params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for ch in params.chars() {
        match ch {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_count_parameters_not_the_return_type() {
        let known = parse_signatures(&[
            "now() -> ()".to_string(),
            "print(_: ()) -> ()".to_string(),
            "scale(h: Handle, opts: Map) -> Dynamic".to_string(),
            "get$kind(h: &mut Handle) -> String".to_string(),
            "==(a: Handle, b: Handle) -> bool".to_string(),
        ]);
        let arities: Vec<(&str, usize)> =
            known.iter().map(|k| (k.name.as_str(), k.arity)).collect();
        assert_eq!(arities, [("now", 0), ("print", 1), ("scale", 2)]);
    }
}
