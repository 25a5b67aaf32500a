//! Did-you-mean help: the closest names by edit distance, or a short list of what exists.

/// Edit distance counting a swap of two neighbours as one edit (the commonest typo: optimal
/// string alignment), ignoring ASCII case (a case slip is a typo worth catching too).
fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

/// How far `candidate` is from what was typed; a name cut short counts as one edit.
fn score(name: &str, candidate: &str) -> usize {
    let truncated = name.len() >= 3
        && candidate.len() > name.len()
        && candidate
            .get(..name.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(name));
    if truncated {
        1
    } else {
        distance(name, candidate)
    }
}

/// The candidates closest to `name` (up to three, all at the same distance), if any is close.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    // Beyond a third of the name, a "suggestion" is just another name.
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (score(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let best = scored.first().map(|(d, _)| *d);
    scored
        .into_iter()
        .take_while(|(d, _)| Some(*d) == best)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// `did you mean 'a'?`, `did you mean 'a' or 'b'?`, `did you mean 'a', 'b' or 'c'?`.
pub(crate) fn did_you_mean(options: &[&str]) -> Option<String> {
    let quoted: Vec<String> = options.iter().map(|o| format!("'{o}'")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

/// Help for a name that is not there: the closest names, else a few that exist.
pub(crate) fn help_for(name: &str, candidates: &[&str], plural: &str, place: &str) -> String {
    if let Some(help) = did_you_mean(&closest(name, candidates.iter().copied())) {
        return help;
    }
    if candidates.is_empty() {
        return format!("the inventory lists no {plural}{place}");
    }
    let mut sorted: Vec<&str> = candidates.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let shown = sorted.len().min(5);
    let more = match sorted.len() - shown {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("{plural}{place}: {}{more}", sorted[..shown].join(", "))
}
