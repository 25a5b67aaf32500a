//! Did-you-mean: the closest known name to a mistyped one.

use crate::primitives::table::PRIMITIVES;

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo
/// (at most a third of the word's length, and at least one edit allowed).
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .filter(|c| *c != word)
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// The closest name to a mistyped function: ripcord's primitives (the table) and the
/// runbook's own functions first, so that `scal` is `scale`; only when none is close, any
/// other function the engine knows (Rhai's standard library).
pub fn closest_function<'a>(
    word: &str,
    runbook: impl Iterator<Item = &'a str>,
    engine: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let primitives = PRIMITIVES.iter().filter(|p| p.offered()).map(|p| p.name);
    closest(word, primitives.chain(runbook)).or_else(|| closest(word, engine))
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_only() {
        let names = ["scale", "snapshot", "promote", "flip_dns"];
        assert_eq!(closest("scal", names.iter().copied()), Some("scale"));
        assert_eq!(closest("flipdns", names.iter().copied()), Some("flip_dns"));
        assert_eq!(closest("reboot_everything", names.iter().copied()), None);
    }

    #[test]
    fn primitives_come_before_the_standard_library() {
        let engine = ["scale", "scan", "sin"];
        assert_eq!(
            closest_function("scal", std::iter::empty(), engine.iter().copied()),
            Some("scale")
        );
        assert_eq!(
            closest_function("sine", std::iter::empty(), engine.iter().copied()),
            Some("sin")
        );
        assert_eq!(
            closest_function("bumpp", ["bump"].into_iter(), engine.iter().copied()),
            Some("bump")
        );
    }
}
