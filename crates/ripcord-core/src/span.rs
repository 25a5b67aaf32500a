//! Line/column to byte offset, the one conversion behind every diagnostic's label.

/// The byte offset of a 1-based `line` and 1-based `column` counted in characters (not bytes),
/// clamped to the end of the line and of the source so that a label is always in bounds.
///
/// Rhai and the JSON/YAML parsers report columns in characters; miette wants byte offsets, and
/// the two differ as soon as a line holds a non-ASCII character before the position.
pub fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        match source[line_start..].find('\n') {
            Some(newline) => line_start += newline + 1,
            None => return source.len(),
        }
    }
    let line_text = source[line_start..]
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(offset, _)| offset)
        .unwrap_or(line_text.len());
    line_start + within
}

/// The length in bytes of the token starting at `offset`: an identifier, a string literal or
/// one character, so a label covers the offending word rather than a single byte.
pub fn token_len(source: &str, offset: usize) -> usize {
    let rest = &source[offset.min(source.len())..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, quote @ ('"' | '`' | '\''))) => {
            let mut escaped = false;
            for (i, ch) in chars {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == quote {
                    return i + ch.len_utf8();
                } else if ch == '\n' {
                    return i;
                }
            }
            rest.len()
        }
        Some((_, first)) if first.is_alphanumeric() || first == '_' => rest
            .char_indices()
            .find(|(_, ch)| !(ch.is_alphanumeric() || *ch == '_'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len()),
        Some((_, first)) => first.len_utf8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_columns_in_characters() {
        let src = "let a = 1;\n// café ☕ → x\nlet b = \"é\" + c;";
        assert_eq!(offset_of(src, 1, 1), 0);
        assert_eq!(offset_of(src, 2, 1), 11);
        let third = offset_of(src, 3, 1);
        assert_eq!(&src[third..third + 3], "let");
        // `c` is the 16th character of line 3, but later in bytes because of the é.
        let c = offset_of(src, 3, 15);
        assert_eq!(&src[c..c + 1], "c");
        let arrow = offset_of(src, 2, 11);
        assert_eq!(&src[arrow..arrow + "→".len()], "→");
    }

    #[test]
    fn clamps_out_of_range_positions() {
        let src = "ab\ncd";
        assert_eq!(offset_of(src, 1, 99), 2);
        assert_eq!(offset_of(src, 9, 1), src.len());
        assert_eq!(offset_of(src, 0, 0), 0);
    }

    #[test]
    fn token_length_covers_words_and_strings() {
        let src = "scale(web, \"dr-wéb\") + 1";
        assert_eq!(token_len(src, 0), 5);
        assert_eq!(&src[11..11 + token_len(src, 11)], "\"dr-wéb\"");
        assert_eq!(token_len(src, 5), 1);
        assert_eq!(token_len(src, src.len()), 0);
    }
}
