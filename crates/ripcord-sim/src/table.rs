//! `Table`: resources in insertion order with an O(1) index by key, plus a Name-tag index.

use std::collections::HashMap;

/// Resources of one kind, in the order the inventory listed or the run created them.
///
/// Tables only grow (the deletions the simulation models leave tombstones: a DynamoDB
/// replica's table, `state::TableState`; a DB instance, DB cluster or global cluster,
/// `state::Tracked::ends`; a new resource of the same key replaces a tombstone in place), so
/// an index returned by [`Table::find`] stays valid for the table's life; that is what makes
/// `at`/`at_mut` indexing safe.
#[derive(Debug, Clone)]
pub(crate) struct Table<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Table<T> {
    /// Adds an item under `key`, or replaces the item already there; returns its index.
    pub(crate) fn upsert(&mut self, key: String, item: T) -> usize {
        if let Some(&at) = self.index.get(&key) {
            self.items[at] = item;
            return at;
        }
        self.items.push(item);
        let at = self.items.len() - 1;
        self.index.insert(key, at);
        at
    }

    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        self.find(key).map(|at| &self.items[at])
    }

    pub(crate) fn at(&self, at: usize) -> &T {
        &self.items[at]
    }

    pub(crate) fn at_mut(&mut self, at: usize) -> &mut T {
        &mut self.items[at]
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Keys with their indexes, in no particular order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = (&str, usize)> {
        self.index.iter().map(|(key, at)| (key.as_str(), *at))
    }
}

/// What a lookup by id or Name tag found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(usize),
    /// Several resources carry that Name tag (tags are not unique in AWS).
    Ambiguous(Vec<usize>),
    Missing,
}

/// Name tag -> indexes into a [`Table`]; a name may be shared.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    by_name: HashMap<String, Vec<usize>>,
}

impl NameIndex {
    pub(crate) fn add(&mut self, name: &str, at: usize) {
        self.by_name.entry(name.to_string()).or_default().push(at);
    }

    pub(crate) fn find(&self, name: &str) -> Lookup {
        match self.by_name.get(name).map(Vec::as_slice) {
            None | Some([]) => Lookup::Missing,
            Some([one]) => Lookup::Found(*one),
            Some(many) => Lookup::Ambiguous(many.to_vec()),
        }
    }

    pub(crate) fn count(&self, name: &str) -> usize {
        self.by_name.get(name).map_or(0, Vec::len)
    }
}

/// Finds by exact key first (an id), then by Name tag.
pub(crate) fn by_id_or_name<T>(table: &Table<T>, names: &NameIndex, name: &str) -> Lookup {
    match table.find(name) {
        Some(at) => Lookup::Found(at),
        None => names.find(name),
    }
}
