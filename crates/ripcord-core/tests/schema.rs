//! The inventory's JSON Schema (`ripcord schema inventory`) against the loader: it accepts what
//! serde accepts, every inventory in the repository, and the checked-in copy is current.
//!
//! Regenerate `docs/inventory.schema.json` with `RIPCORD_BLESS=1 cargo test -p ripcord-core
//! --test schema`.

use ripcord_core::inventory::inventory_schema;
use ripcord_core::Inventory;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schema as editors read it, checked by the pinned Python `jsonschema` (Draft 7, the
/// draft yaml-language-server supports) of the test venv: one process, one JSON document
/// per line in, its errors (`/json/pointer: message`) as one JSON list per line out. Not the
/// Rust `jsonschema` crate: its dependencies enable features of crates the AWS SDK is built
/// on, and `cargo test --workspace` would then compile the whole SDK a second time.
struct Validator {
    child: Child,
    answers: BufReader<ChildStdout>,
}

const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft7Validator
with open(sys.argv[1]) as f:
    schema = json.load(f)
Draft7Validator.check_schema(schema)
validator = Draft7Validator(schema)
for line in sys.stdin:
    errors = [
        "".join("/" + str(p) for p in e.absolute_path) + ": " + e.message
        for e in validator.iter_errors(json.loads(line))
    ]
    print(json.dumps(errors), flush=True)
"#;

fn validator() -> Validator {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("inventory.schema.json");
    std::fs::write(&path, inventory_schema().to_string()).expect("write the schema");
    let mut child = Command::new(ripcord_testkit::python())
        .args(["-c", VALIDATE])
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the venv's python runs");
    let answers = BufReader::new(child.stdout.take().expect("piped"));
    // The schema is read before the first answer; the directory may go after it.
    let mut validator = Validator { child, answers };
    assert_eq!(
        schema_errors(
            &mut validator,
            &serde_json::json!({"version": 2, "captured_at": "2026-01-01T00:00:00Z"})
        ),
        Vec::<String>::new(),
        "the generated schema is a schema"
    );
    drop(dir);
    validator
}

impl Validator {
    fn is_valid(&mut self, value: &serde_json::Value) -> bool {
        schema_errors(self, value).is_empty()
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the loader's deserialization (before `validate`) makes of `text`, as
/// `Inventory::parse` decides the format.
fn serde_accepts(text: &str, name: &str) -> bool {
    if is_json(text, name) {
        serde_json::from_str::<Inventory>(text).is_ok()
    } else {
        serde_yaml::from_str::<Inventory>(text).is_ok()
    }
}

fn is_json(text: &str, name: &str) -> bool {
    name.ends_with(".json") || text.trim_start().starts_with('{')
}

/// The document as a JSON value, as an editor's YAML or JSON language server sees it.
fn value_of(text: &str, name: &str) -> Option<serde_json::Value> {
    if is_json(text, name) {
        serde_json::from_str(text).ok()
    } else {
        serde_yaml::from_str(text).ok()
    }
}

fn schema_errors(validator: &mut Validator, value: &serde_json::Value) -> Vec<String> {
    let stdin = validator.child.stdin.as_mut().expect("piped");
    writeln!(stdin, "{value}").expect("send a document to the validator");
    stdin.flush().expect("flush");
    let mut line = String::new();
    validator
        .answers
        .read_line(&mut line)
        .expect("the validator answers");
    serde_json::from_str(&line).unwrap_or_else(|err| panic!("the validator said {line:?}: {err}"))
}

/// Every YAML and JSON file under the workspace, but build output and hidden folders.
fn data_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            data_files(&path, out);
        } else if [".json", ".yaml", ".yml"].iter().any(|e| name.ends_with(e)) {
            out.push(path);
        }
    }
}

/// The YAML examples of docs/inventory.md, with their first line number.
fn doc_examples() -> Vec<(usize, String)> {
    let doc = std::fs::read_to_string(workspace().join("docs/inventory.md"))
        .expect("docs/inventory.md is readable");
    let mut examples = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match &mut current {
            None if line.trim() == "```yaml" => current = Some((i + 2, String::new())),
            Some(_) if line.trim() == "```" => examples.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    examples
}

#[test]
fn the_checked_in_schema_is_generated() {
    let path = workspace().join("docs/inventory.schema.json");
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&inventory_schema()).expect("a JSON value serializes")
    );
    if std::env::var_os("RIPCORD_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("docs/inventory.schema.json is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/inventory.schema.json is not the generated schema: regenerate it with \
         RIPCORD_BLESS=1 cargo test -p ripcord-core --test schema, and review the diff"
    );
}

#[test]
fn the_schema_names_itself_and_describes_fields() {
    let schema = inventory_schema();
    assert_eq!(schema["$id"], ripcord_core::inventory::schema_id().as_str());
    // Draft 7: what yaml-language-server supports.
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema["title"]
        .as_str()
        .is_some_and(|t| t.contains("inventory")));
    assert_eq!(schema["additionalProperties"], false, "deny_unknown_fields");
    let captured_at = &schema["properties"]["captured_at"];
    assert!(
        captured_at["description"]
            .as_str()
            .is_some_and(|d| d.contains("dry-run's clock")),
        "doc comments become descriptions: {captured_at}"
    );
    let record = &schema["definitions"]["RecordSet"]["properties"];
    assert!(record.get("type").is_some() && record.get("rtype").is_none());
}

/// Every YAML or JSON file of the repository is accepted by the schema exactly when serde
/// accepts it as an inventory; every file the loader accepts is among them.
#[test]
fn the_schema_accepts_what_serde_accepts_in_every_file_of_the_repository() {
    let mut validator = validator();
    let mut files = Vec::new();
    data_files(&workspace(), &mut files);
    let mut inventories = Vec::new();
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .strip_prefix(workspace())
            .unwrap_or(path)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let serde = serde_accepts(&text, &name);
        if Inventory::parse(&text, &name).is_ok() {
            inventories.push(name.clone());
        }
        match value_of(&text, &name) {
            None => {
                if serde {
                    problems.push(format!("{name}: serde reads it, but not as a JSON value"));
                }
            }
            Some(value) => {
                let errors = schema_errors(&mut validator, &value);
                if serde && !errors.is_empty() {
                    problems.push(format!(
                        "{name}: serde accepts it, the schema does not:\n  {}",
                        errors.join("\n  ")
                    ));
                } else if !serde && errors.is_empty() {
                    problems.push(format!("{name}: the schema accepts it, serde does not"));
                }
            }
        }
    }
    for (line, text) in doc_examples() {
        let name = format!("docs/inventory.md:{line}");
        let value = value_of(&text, "example.yaml").expect("the doc's examples are YAML");
        let errors = schema_errors(&mut validator, &value);
        if serde_accepts(&text, "example.yaml") != errors.is_empty() {
            problems.push(format!("{name}: serde and the schema disagree: {errors:?}"));
        }
        if Inventory::parse(&text, "example.yaml").is_ok() {
            inventories.push(name);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for expected in [
        "examples/inventory.yaml",
        "runbooks/ecommerce/inventory.yaml",
        "tests/parity/rejections/inventory.yaml",
    ] {
        assert!(
            inventories.iter().any(|i| i == expected),
            "{expected} was not found or not loaded: {inventories:?}"
        );
    }
    assert!(
        inventories
            .iter()
            .any(|i| i.starts_with("docs/inventory.md:")),
        "the examples of docs/inventory.md load: {inventories:?}"
    );
}

/// What the loader rejects for its shape, the schema rejects too, and names the place.
#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let mut validator = validator();
    let base = "version: 3\ncaptured_at: 2026-01-01T00:00:00Z\n";
    let cases = [
        (
            "a misspelled field",
            "regions:\n  us-west-2:\n    auto_scaling_groups:\n      - { name: web, min_size: 1, max_size: 2, desird_capacity: 2 }\n",
            "/regions/us-west-2/auto_scaling_groups/0",
        ),
        (
            "a wrong type",
            "regions:\n  us-west-2:\n    auto_scaling_groups:\n      - { name: web, min_size: one, max_size: 2, desired_capacity: 2 }\n",
            "/regions/us-west-2/auto_scaling_groups/0/min_size",
        ),
        (
            "an unknown top-level field",
            "hosted_zone:\n  - { id: Z1, name: example.com }\n",
            "",
        ),
        (
            "a record's type by its Rust name",
            "hosted_zones:\n  - id: Z1\n    name: example.com\n    records:\n      - { name: www.example.com, rtype: A, values: [192.0.2.1] }\n",
            "/hosted_zones/0/records/0",
        ),
        (
            "a weight out of Route 53's range",
            "hosted_zones:\n  - id: Z1\n    name: example.com\n    records:\n      - { name: api.example.com, type: A, set_id: a, weight: 256, values: [192.0.2.1] }\n",
            "/hosted_zones/0/records/0/weight",
        ),
        (
            "a misspelled table field",
            "regions:\n  us-east-1:\n    dynamodb_tables:\n      - { name: T, stream: NEW_AND_OLD_IMAGES }\n",
            "/regions/us-east-1/dynamodb_tables/0",
        ),
        (
            "a list where an object belongs",
            "buckets:\n  - { name: b, region: us-east-1, replication: [] }\n",
            "/buckets/0/replication",
        ),
    ];
    for (what, extra, at) in cases {
        let text = format!("{base}{extra}");
        assert!(
            Inventory::parse(&text, "bad.yaml").is_err(),
            "{what}: the loader accepts it"
        );
        let value = value_of(&text, "bad.yaml").expect("the case is YAML");
        let errors = schema_errors(&mut validator, &value);
        assert!(!errors.is_empty(), "{what}: the schema accepts it");
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{at}: "))),
            "{what}: no error at `{at}`: {errors:?}"
        );
    }
    for (what, text) in [
        ("no version", "captured_at: 2026-01-01T00:00:00Z\n"),
        ("no capture time", "version: 2\n"),
        (
            "a version this build does not read",
            "version: 4\ncaptured_at: 2026-01-01T00:00:00Z\n",
        ),
    ] {
        assert!(Inventory::parse(text, "bad.yaml").is_err(), "{what}");
        let value = value_of(text, "bad.yaml").expect("the case is YAML");
        assert!(!validator.is_valid(&value), "{what}: the schema accepts it");
    }
    // What the defaults fill in need not be written.
    let minimal = format!(
        "{base}regions:\n  us-east-1:\n    volumes:\n      - {{ id: vol-1, size_gib: 8, availability_zone: us-east-1a }}\n"
    );
    assert!(Inventory::parse(&minimal, "ok.yaml").is_ok());
    let value = value_of(&minimal, "ok.yaml").expect("YAML");
    assert_eq!(schema_errors(&mut validator, &value), Vec::<String>::new());
}
