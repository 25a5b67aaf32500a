//! Editor support: `ripcord schema inventory` and `ripcord definitions` print what is checked
//! in under docs/ (the goldens' own tests are in ripcord-core and ripcord-interp).

use crate::{ripcord, stderr, stdout, workspace};

#[test]
fn schema_inventory_prints_the_checked_in_schema() {
    let out = ripcord(&["schema", "inventory"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let checked_in = std::fs::read_to_string(workspace().join("docs/inventory.schema.json"))
        .expect("docs/inventory.schema.json is checked in");
    assert_eq!(stdout(&out), checked_in);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("inventory.schema.json");
    let path = file.to_str().expect("a UTF-8 temporary path");
    let out = ripcord(&["schema", "inventory", "-o", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        std::fs::read_to_string(&file).expect("the schema was written"),
        checked_in
    );

    let out = ripcord(&["schema", "runbook"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown format is a usage error"
    );
    assert!(stderr(&out).contains("inventory"), "{}", stderr(&out));
}

#[test]
fn definitions_writes_the_checked_in_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let target = dir.path().join("defs");
    let out = ripcord(&["definitions", "-o", target.to_str().expect("a UTF-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let checked_in = workspace().join("docs/definitions");
    let mut names: Vec<String> = std::fs::read_dir(&checked_in)
        .expect("docs/definitions is checked in")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    let mut written: Vec<String> = std::fs::read_dir(&target)
        .expect("the directory was made")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    written.sort();
    assert_eq!(written, names);
    for name in &names {
        assert_eq!(
            std::fs::read_to_string(target.join(name)).expect("written"),
            std::fs::read_to_string(checked_in.join(name)).expect("checked in"),
            "{name}"
        );
    }

    // Without a directory: all of it as one file, with the primitives' doc lines.
    let out = ripcord(&["definitions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("module static;"),
        "{}",
        &text[..80.min(text.len())]
    );
    assert!(
        text.contains("/// sets an Auto Scaling group's min, max and desired capacity, or an ECS service's desired count\nfn scale("),
        "the primitives carry their doc lines"
    );
}
