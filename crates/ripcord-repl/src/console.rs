//! `Console`: the operator's terminal — a rustyline editor with history, tab completion and
//! multi-line input (a continuation prompt while Rhai's parser finds the input unfinished).

use crate::helper::{ReplHelper, Words};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};
use std::path::PathBuf;

/// What one prompt read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(String),
    /// Ctrl-C at the prompt: drop the line, ask again.
    Interrupted,
    /// Ctrl-D, or stdin closed: end the session.
    Eof,
}

/// The terminal, or whatever stdin is.
pub struct Console {
    editor: Option<Editor<ReplHelper, DefaultHistory>>,
    history: Option<PathBuf>,
}

impl Console {
    /// A console with completion over `words`, keeping history in `history` if given.
    pub fn new(words: Words, history: Option<PathBuf>) -> Console {
        let config = Config::builder().auto_add_history(true).build();
        let editor = match Editor::with_config(config) {
            Ok(mut editor) => {
                editor.set_helper(Some(ReplHelper::new(words)));
                if let Some(path) = &history {
                    // A first session has no history file yet.
                    let _ = editor.load_history(path);
                }
                Some(editor)
            }
            // No terminal and no stdin to fall back on: every read is the end.
            Err(_) => None,
        };
        Console { editor, history }
    }

    pub fn read(&mut self, prompt: &str) -> Input {
        let Some(editor) = &mut self.editor else {
            return Input::Eof;
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if let Some(path) = &self.history {
                    if let Some(dir) = path.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    // Saved after every line: a session killed mid-incident keeps its history.
                    let _ = editor.save_history(path);
                }
                Input::Line(line)
            }
            Err(ReadlineError::Interrupted) => Input::Interrupted,
            Err(_) => Input::Eof,
        }
    }

    /// One whole input at the main prompt: while Rhai's parser finds it unfinished (an open
    /// bracket, string or expression), more lines are read under a continuation prompt
    /// (`...> `). An empty line or Ctrl-C there abandons the unfinished input, saying so, and
    /// gives an empty line.
    pub fn read_input(&mut self, prompt: &str) -> Input {
        let mut input = match self.read(prompt) {
            Input::Line(line) => line,
            other => return other,
        };
        let width = prompt.chars().count();
        let continuation = format!("{:>width$}", "...> ");
        while let Some(missing) = ripcord_interp::unfinished(&input) {
            let abandon = |why: &str| {
                println!("(unfinished input abandoned {why}: it still needed {missing})");
                Input::Line(String::new())
            };
            match self.read(&continuation) {
                Input::Line(line) if line.trim().is_empty() => return abandon("at an empty line"),
                Input::Line(line) => {
                    input.push('\n');
                    input.push_str(&line);
                }
                Input::Interrupted => return abandon("with Ctrl-C"),
                Input::Eof => return Input::Eof,
            }
        }
        Input::Line(input)
    }

    /// Asks until one of `choices` (first letter of the answer) is given; `None` at the end of
    /// input. Ctrl-C counts as the last choice (the safe one, by convention of the callers).
    pub fn choose(&mut self, question: &str, choices: &[char]) -> Option<char> {
        loop {
            match self.read(question) {
                Input::Line(line) => {
                    let answer = line.trim().chars().next().map(|c| c.to_ascii_lowercase());
                    if let Some(c) = answer.filter(|c| choices.contains(c)) {
                        return Some(c);
                    }
                    let listed: Vec<String> = choices.iter().map(char::to_string).collect();
                    println!("answer one of: {}", listed.join(", "));
                }
                Input::Interrupted => return choices.last().copied(),
                Input::Eof => return None,
            }
        }
    }
}
