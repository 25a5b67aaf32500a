//! The checked-in Rhai definition files (`docs/definitions/`, which editors load) are the
//! generated ones, so a primitive added without regenerating them fails here.
//!
//! Regenerate them with `RIPCORD_BLESS=1 cargo test -p ripcord-interp --test definitions`.

use ripcord_interp::definition_files;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/definitions")
}

fn checked_in() -> BTreeSet<String> {
    std::fs::read_dir(dir())
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| name.ends_with(".d.rhai"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_checked_in_definitions_are_generated() {
    let files = definition_files();
    if std::env::var_os("RIPCORD_BLESS").is_some() {
        std::fs::create_dir_all(dir()).expect("docs/definitions can be made");
        for stale in checked_in() {
            std::fs::remove_file(dir().join(stale)).expect("a stale definition file is removable");
        }
        for file in &files {
            std::fs::write(dir().join(&file.name), &file.text)
                .expect("docs/definitions is writable");
        }
        return;
    }
    let bless = "regenerate them with RIPCORD_BLESS=1 cargo test -p ripcord-interp --test \
                 definitions, and review the diff";
    let generated: BTreeSet<String> = files.iter().map(|f| f.name.clone()).collect();
    assert_eq!(
        checked_in(),
        generated,
        "docs/definitions/ has other files: {bless}"
    );
    for file in &files {
        let text = std::fs::read_to_string(dir().join(&file.name)).unwrap_or_default();
        assert!(
            text == file.text,
            "docs/definitions/{} is not the generated file: {bless}",
            file.name
        );
    }
}
