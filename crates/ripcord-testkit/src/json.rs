//! Just enough JSON to read the fault proxy's request log (the kit has no dependencies):
//! `null`, booleans, numbers, strings with every escape, arrays and objects.

use std::collections::BTreeMap;

/// A JSON value. Numbers are kept as `f64`: the log's only number is a time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    /// Parses a whole document; `Err` says where it stopped making sense.
    pub(crate) fn parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        let value = parser.value()?;
        parser.blanks();
        if parser.at != parser.chars.len() {
            return Err(parser.error("text after the value"));
        }
        Ok(value)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(map) => map.get(key),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at character {}: {what}", self.at)
    }

    fn blanks(&mut self) {
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.at += 1;
        }
    }

    fn next(&mut self) -> Result<char, String> {
        let c = self
            .chars
            .get(self.at)
            .copied()
            .ok_or_else(|| self.error("unexpected end"))?;
        self.at += 1;
        Ok(c)
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.blanks();
        if self.next()? == c {
            Ok(())
        } else {
            self.at -= 1;
            Err(self.error(&format!("expected {c:?}")))
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, String> {
        for expected in word.chars() {
            if self.next()? != expected {
                self.at -= 1;
                return Err(self.error(&format!("expected {word}")));
            }
        }
        Ok(value)
    }

    fn value(&mut self) -> Result<Json, String> {
        self.blanks();
        match self.chars.get(self.at).copied() {
            Some('n') => self.word("null", Json::Null),
            Some('t') => self.word("true", Json::Bool(true)),
            Some('f') => self.word("false", Json::Bool(false)),
            Some('"') => self.string().map(Json::String),
            Some('[') => self.array(),
            Some('{') => self.object(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        text.parse()
            .map(Json::Number)
            .map_err(|_| self.error(&format!("bad number {text}")))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .next()?
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.next()? {
                '"' => return Ok(out),
                '\\' => match self.next()? {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let mut code = self.hex4()?;
                        if (0xD800..0xDC00).contains(&code) {
                            // A surrogate pair (Python's ensure_ascii writes one per
                            // character outside the basic plane).
                            if self.next()? != '\\' || self.next()? != 'u' {
                                return Err(self.error("a lone high surrogate"));
                            }
                            let low = self.hex4()?;
                            if !(0xDC00..0xE000).contains(&low) {
                                return Err(self.error("a high surrogate without its low one"));
                            }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        }
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    _ => return Err(self.error("bad escape")),
                },
                c => out.push(c),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.blanks();
        if self.chars.get(self.at) == Some(&']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.blanks();
            match self.next()? {
                ',' => continue,
                ']' => return Ok(Json::Array(items)),
                _ => {
                    self.at -= 1;
                    return Err(self.error("expected , or ]"));
                }
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.expect('{')?;
        let mut map = BTreeMap::new();
        self.blanks();
        if self.chars.get(self.at) == Some(&'}') {
            self.at += 1;
            return Ok(Json::Object(map));
        }
        loop {
            self.blanks();
            let key = self.string()?;
            self.expect(':')?;
            let value = self.value()?;
            map.insert(key, value);
            self.blanks();
            match self.next()? {
                ',' => continue,
                '}' => return Ok(Json::Object(map)),
                _ => {
                    self.at -= 1;
                    return Err(self.error("expected , or }"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn reads_the_proxys_log() {
        let log = Json::parse(
            r#"[{"region": "us-east-1", "service": "sns", "operation": "GET /a\"b\\c\u00e9\ud83d\ude00",
                "fault": null, "rule": 0, "forwarded": true, "at": 1764633600.25}, {}]"#,
        )
        .unwrap();
        let Json::Array(entries) = &log else {
            panic!("{log:?}")
        };
        assert_eq!(entries.len(), 2);
        let first = &entries[0];
        assert_eq!(
            first.get("operation").and_then(Json::as_str),
            Some("GET /a\"b\\cé😀")
        );
        assert_eq!(first.get("fault"), Some(&Json::Null));
        assert_eq!(first.get("forwarded").and_then(Json::as_bool), Some(true));
        assert_eq!(first.get("at"), Some(&Json::Number(1764633600.25)));
        assert_eq!(entries[1], Json::Object(Default::default()));
    }

    #[test]
    fn says_where_it_stops() {
        for bad in ["[1,", "{\"a\" 1}", "[nul]", "\"\\x\"", "[] x"] {
            let err = Json::parse(bad).unwrap_err();
            assert!(err.starts_with("invalid JSON at character"), "{bad}: {err}");
        }
    }
}
