//! The REPL's command parsing and multi-line input; sessions themselves are driven through a
//! pseudo-terminal in the `ripcord` crate's CLI tests (crates/ripcord/tests/cli/repl.rs).

use ripcord_interp::unfinished;
use ripcord_repl::{Breakpoint, Command};

const PRIMITIVES: &[&str] = &["promote", "scale", "wait"];

fn parse(line: &str) -> Command {
    Command::parse(line, PRIMITIVES)
}

#[test]
fn commands_and_aliases() {
    assert_eq!(parse("step"), Command::Step);
    assert_eq!(parse("  s "), Command::Step);
    assert_eq!(parse("n"), Command::Next);
    assert_eq!(parse("c"), Command::Continue);
    assert_eq!(parse("skip"), Command::Skip);
    assert_eq!(parse("plan"), Command::Plan);
    assert_eq!(parse("w"), Command::Where);
    assert_eq!(parse("vars"), Command::Vars);
    assert_eq!(parse("j"), Command::Journal);
    assert_eq!(parse("?"), Command::Help);
    assert_eq!(parse("q"), Command::Quit);
    assert_eq!(parse(""), Command::Empty);
}

#[test]
fn breakpoints_by_line_and_by_primitive() {
    assert_eq!(parse("break 47"), Command::Break(Breakpoint::Line(47)));
    assert_eq!(
        parse("b promote"),
        Command::Break(Breakpoint::Primitive("promote".into()))
    );
    assert_eq!(parse("break"), Command::ListBreaks);
    assert_eq!(parse("delete 2"), Command::Delete(Some(2)));
    assert_eq!(parse("d"), Command::Delete(None));
    match parse("break promot") {
        Command::Invalid(message) => assert!(message.contains("did you mean promote"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse("break 0"), Command::Invalid(_)));
    assert!(matches!(parse("delete x"), Command::Invalid(_)));
    // Rhai's `break` cannot stand at the prompt: a wrong argument is a wrong command.
    match parse("break -1") {
        Command::Invalid(message) => assert!(
            message.contains("takes a line number or a DR primitive"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse("break foo bar"), Command::Invalid(_)));
}

#[test]
fn everything_else_is_rhai() {
    // A command word followed by something that is not its argument is code.
    assert_eq!(parse("s = 3"), Command::Eval("s = 3".into()));
    assert_eq!(parse("n;"), Command::Eval("n;".into()));
    assert_eq!(
        parse(r#"describe(asg("web", "us-east-1"))"#),
        Command::Eval(r#"describe(asg("web", "us-east-1"))"#.into())
    );
    assert_eq!(parse("d = 3"), Command::Eval("d = 3".into()));
    assert_eq!(parse("b = 3"), Command::Eval("b = 3".into()));
}

#[test]
fn open_brackets_and_strings_continue_the_input() {
    // What `Console::read_input` asks: Rhai's parser, not bracket counting.
    let unclosed = |input: &str| unfinished(input).is_some();
    assert!(unclosed("if x {"));
    assert!(unclosed("parallel([|| scale(web, #{ desired: 2 }),"));
    assert!(unclosed("let s = \"a {"));
    assert!(unclosed("let s = `a\n(b"));
    assert!(!unclosed("let s = \"a {\";"));
    assert!(!unclosed("if x { y }"));
    assert!(!unclosed(r#"print("quote \" inside")"#));
    assert!(!unclosed("'('"));
    assert!(!unclosed("// ("));
    // More closers than openers is a syntax error for Rhai to report, not more input.
    assert!(!unclosed("}"));
}
