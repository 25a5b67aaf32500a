//! `ripcord definitions`: Rhai definition files of everything a runbook can call, for the Rhai
//! language server (docs/editors.md); the interpreter makes them from its own engine.

use crate::cli::DefinitionsArgs;
use crate::exit::Exit;

pub fn run(args: &DefinitionsArgs) -> Exit {
    let Some(dir) = &args.output else {
        print!("{}", ripcord_interp::definitions_file());
        return Exit::Ok;
    };
    if let Err(err) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {err}", dir.display());
        return Exit::BadInput;
    }
    let files = ripcord_interp::definition_files();
    for file in &files {
        let path = dir.join(&file.name);
        if let Err(exit) = crate::output::write_file(&path, &file.text) {
            return exit;
        }
    }
    eprintln!(
        "wrote {} definition file(s) into {}",
        files.len(),
        dir.display()
    );
    Exit::Ok
}
