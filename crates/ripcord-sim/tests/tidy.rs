//! Docs tied to code: every AWS error code the simulation raises is in docs/simulation.md, so
//! a reviewer who meets one in a plan finds what it means.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("the source folder reads")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals passed first to `rejected(`, `not_found(` and `timeout(`.
fn raised_codes(text: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for call in ["rejected(", "not_found(", "timeout("] {
        for (at, _) in text.match_indices(call) {
            let rest = text[at + call.len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"') {
                if let Some(end) = literal.find('"') {
                    codes.insert(literal[..end].to_string());
                }
            }
        }
    }
    codes
}

#[test]
fn every_code_the_simulation_raises_is_in_docs_simulation() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("../../docs/simulation.md"))
        .expect("docs/simulation.md reads");
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut codes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file reads");
        codes.extend(raised_codes(&text));
    }
    assert!(
        codes.contains("WaiterTimeout"),
        "the scan finds the codes ({codes:?})"
    );
    let missing: Vec<&String> = codes
        .iter()
        .filter(|code| !doc.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/simulation.md, section \"Rejections\": say when the simulation raises {missing:?} (in backticks)"
    );
}
