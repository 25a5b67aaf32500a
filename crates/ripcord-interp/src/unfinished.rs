//! Whether typed input is unfinished (the REPL then reads another line), decided by Rhai's own
//! parser: backtick strings, comments and `'('` are what they are, not bracket counting.

use rhai::{Engine, LexError, ParseErrorType};

/// What the input still misses (`a closing )`, `the end of a string`), or `None` when it is
/// finished: it parses, or its error is not at its end (a real error, to be reported).
pub fn unfinished(input: &str) -> Option<String> {
    let err = match Engine::new_raw().compile(input) {
        Ok(_) => return None,
        Err(err) => err,
    };
    let (kind, pos) = (&*err.0, err.1);
    match kind {
        ParseErrorType::BadInput(LexError::UnterminatedString) => {
            Some("the end of a string".to_string())
        }
        ParseErrorType::UnexpectedEOF => Some("the rest of an expression".to_string()),
        ParseErrorType::MissingToken(token, _) if at_end(input, pos) => {
            Some(format!("a closing {token}"))
        }
        _ => None,
    }
}

/// True when `pos` is at or past the input's last character.
fn at_end(input: &str, pos: rhai::Position) -> bool {
    let (Some(line), Some(column)) = (pos.line(), pos.position()) else {
        return true;
    };
    let lines = input.split('\n').count();
    let last = input.rsplit('\n').next().unwrap_or("");
    (line, column) >= (lines, last.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::unfinished;

    #[test]
    fn open_brackets_strings_and_expressions_are_unfinished() {
        for input in [
            "let x = (",
            "let x = (\nquit",
            "if x {",
            "let s = \"a {",
            "let s = `a\nb",
            "let x = 1 +",
            "parallel([|| scale(web, #{ desired: 2 }),",
            "let m = #{ a: 1",
        ] {
            assert!(unfinished(input).is_some(), "{input:?}");
        }
        assert_eq!(
            unfinished("let x = (").as_deref(),
            Some("the rest of an expression")
        );
        assert_eq!(unfinished("if x {").as_deref(), Some("a closing }"));
    }

    #[test]
    fn finished_input_and_real_errors_are_not() {
        for input in [
            "quit",
            "'('",
            "// (",
            "let s = \"a {\";",
            "print(\"quote \\\" inside\")",
            "let s = `a\n(b`;",
            "}",
            "break promote",
            "if x { y }",
        ] {
            assert_eq!(unfinished(input), None, "{input:?}");
        }
    }
}
