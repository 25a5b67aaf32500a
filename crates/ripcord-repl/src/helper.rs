//! `ReplHelper`: tab completion (commands, functions, resource names).

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

/// The words tab completion offers.
#[derive(Debug, Default, Clone)]
pub struct Words {
    pub commands: Vec<String>,
    pub functions: Vec<String>,
    /// Resource names and ids from the inventory, completed inside string literals.
    pub resources: Vec<String>,
}

/// Tab completion.
pub struct ReplHelper {
    words: Words,
}

impl ReplHelper {
    pub fn new(words: Words) -> ReplHelper {
        ReplHelper { words }
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let in_string = before.chars().filter(|&c| c == '"').count() % 2 == 1;
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| {
                if in_string {
                    c == '"'
                } else {
                    !(c.is_alphanumeric() || c == '_')
                }
            })
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let word = &before[start..];
        let first_word = !before[..start].chars().any(|c| !c.is_whitespace());
        let pool: Vec<&String> = if in_string {
            self.words.resources.iter().collect()
        } else if first_word {
            self.words
                .commands
                .iter()
                .chain(self.words.functions.iter())
                .collect()
        } else {
            self.words.functions.iter().collect()
        };
        let mut candidates: Vec<Pair> = pool
            .into_iter()
            .filter(|w| w.starts_with(word))
            .map(|w| Pair {
                display: w.clone(),
                replacement: w.clone(),
            })
            .collect();
        candidates.sort_by(|a, b| a.display.cmp(&b.display));
        candidates.dedup_by(|a, b| a.display == b.display);
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

// Enter always hands the line over: `Console::read_input` decides, with Rhai's parser,
// whether the input goes on.
impl Validator for ReplHelper {}

impl Helper for ReplHelper {}
