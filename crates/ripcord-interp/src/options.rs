//! `Options`: a primitive's `#{...}` option map, with exact errors for unknown keys and types.

use crate::failure::Failure;
use crate::handle::Handle;
use rhai::{Dynamic, Map};
use ripcord_core::duration::parse_duration;
use std::collections::BTreeMap;

/// The options a primitive was given; every read names the primitive and the key on error.
pub struct Options {
    primitive: &'static str,
    map: Map,
}

impl Options {
    /// Rejects keys outside `allowed`, with a did-you-mean.
    pub fn new(primitive: &'static str, map: Map, allowed: &[&str]) -> Result<Options, Failure> {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = crate::suggest::closest(key, allowed.iter().copied())
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                return Err(
                    Failure::invalid(format!("`{primitive}` has no option `{key}`")).with_help(
                        format!("{hint}options of `{primitive}`: {}", allowed.join(", ")),
                    ),
                );
            }
        }
        Ok(Options { primitive, map })
    }

    fn get(&self, key: &str) -> Option<&Dynamic> {
        self.map.get(key).filter(|v| !v.is_unit())
    }

    fn wrong(&self, key: &str, expected: &str, value: &Dynamic) -> Failure {
        Failure::invalid(format!(
            "option `{key}` of `{}` must be {expected}, found {} `{value}`",
            self.primitive,
            value.type_name()
        ))
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_int()
                .map(Some)
                .map_err(|_| self.wrong(key, "an integer", v)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .map_err(|_| self.wrong(key, "true or false", v)),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_string() => Ok(Some(v.to_string())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A duration given as a string (`"15m"`) or integer seconds.
    pub fn duration(&self, key: &str) -> Result<Option<u64>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => duration_of(v).map(Some).map_err(|msg| {
                Failure::invalid(format!("option `{key}` of `{}`: {msg}", self.primitive))
            }),
        }
    }

    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_string() => Ok(Some(vec![v.to_string()])),
            Some(v) if v.is_array() => {
                let array = v.clone().into_array().unwrap_or_default();
                let mut out = Vec::with_capacity(array.len());
                for item in array {
                    if !item.is_string() {
                        return Err(self.wrong(key, "an array of strings", &item));
                    }
                    out.push(item.to_string());
                }
                Ok(Some(out))
            }
            Some(v) => Err(self.wrong(key, "a string or an array of strings", v)),
        }
    }

    /// A `#{ key: "value" }` map of strings (tags).
    pub fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, Failure> {
        match self.get(key) {
            None => Ok(BTreeMap::new()),
            Some(v) if v.is_map() => {
                let map = v.clone().try_cast::<Map>().unwrap_or_default();
                let mut out = BTreeMap::new();
                for (k, item) in map {
                    if !(item.is_string() || item.is_int() || item.is_bool()) {
                        return Err(self.wrong(key, "a map of strings", &item));
                    }
                    out.insert(k.to_string(), item.to_string());
                }
                Ok(out)
            }
            Some(v) => Err(self.wrong(key, "an object map like #{ Name: \"x\" }", v)),
        }
    }

    pub fn map(&self, key: &str) -> Result<Option<Map>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_map() => Ok(v.clone().try_cast::<Map>()),
            Some(v) => Err(self.wrong(key, "an object map", v)),
        }
    }

    pub fn handle(&self, key: &str) -> Result<Option<Handle>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .clone()
                .try_cast::<Handle>()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a handle", v)),
        }
    }
}

/// A duration from a runbook value: a string like `"15m"` or integer seconds.
pub fn duration_of(value: &Dynamic) -> Result<u64, String> {
    if let Ok(secs) = value.as_int() {
        return u64::try_from(secs).map_err(|_| format!("a duration cannot be negative ({secs})"));
    }
    if value.is_string() {
        return parse_duration(&value.to_string());
    }
    Err(format!(
        "a duration is a string like \"15m\" or integer seconds, found {} `{value}`",
        value.type_name()
    ))
}
