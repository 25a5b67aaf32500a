//! The embedded standard library and the only module resolver a runbook gets.

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};

/// `(import name, source)` of every standard-library module, embedded at build time.
pub const MODULES: &[(&str, &str)] = &[
    (
        "ripcord/strategy",
        include_str!("../../../stdlib/strategy.rhai"),
    ),
    (
        "ripcord/backup_restore",
        include_str!("../../../stdlib/backup_restore.rhai"),
    ),
    (
        "ripcord/pilot_light",
        include_str!("../../../stdlib/pilot_light.rhai"),
    ),
    (
        "ripcord/warm_standby",
        include_str!("../../../stdlib/warm_standby.rhai"),
    ),
    (
        "ripcord/active_active",
        include_str!("../../../stdlib/active_active.rhai"),
    ),
    (
        "ripcord/outage",
        include_str!("../../../stdlib/outage.rhai"),
    ),
];

/// The import names, comma-separated, for messages.
pub fn names() -> String {
    MODULES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The file name a module's steps and errors point into: `stdlib/warm_standby.rhai`.
pub fn file_of(name: &str) -> String {
    format!("stdlib/{}.rhai", name.trim_start_matches("ripcord/"))
}

/// Whether `source` is the file name of a standard-library module (`file_of`).
pub fn is_module_file(source: &str) -> bool {
    MODULES.iter().any(|(name, _)| file_of(name) == source)
}

/// Resolves `import "ripcord/..."` to the embedded modules and refuses everything else, so a
/// runbook can never read a file through `import`.
pub struct StdlibResolver;

impl ModuleResolver for StdlibResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let Some((_, text)) = MODULES.iter().find(|(name, _)| *name == path) else {
            return Err(Box::new(EvalAltResult::ErrorModuleNotFound(
                path.to_string(),
                pos,
            )));
        };
        let file = file_of(path);
        let mut ast = engine.compile(*text).map_err(|err| {
            Box::new(EvalAltResult::ErrorInModule(
                path.to_string(),
                Box::new(EvalAltResult::ErrorParsing(*err.0, err.1)),
                pos,
            ))
        })?;
        ast.set_source(file.as_str());
        let mut module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|err| Box::new(EvalAltResult::ErrorInModule(path.to_string(), err, pos)))?;
        module.set_id(file.as_str());
        Ok(module.into())
    }
}
