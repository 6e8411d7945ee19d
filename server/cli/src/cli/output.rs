//! Re-spacing JSON text for output, without re-parsing it into a value.
//!
//! Going through `serde_json::Value` would sort object keys and could round big
//! numbers; working on the text keeps both exactly as the server sent them.
//! The input must be valid JSON (it always comes from a validated `RawValue`).

/// `json` on one line, with all whitespace outside strings removed.
///
/// ```
/// use jrpc_cli::cli::output::compact;
/// assert_eq!(compact("{ \"b\" : [1, 2],\n \"a\": \" x \" }"), r#"{"b":[1,2],"a":" x "}"#);
/// ```
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut strings = StringTracker::default();
    for c in json.chars() {
        if strings.inside(c) || !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// `json` indented by two spaces per level, as `serde_json::to_string_pretty` would.
///
/// ```
/// use jrpc_cli::cli::output::pretty;
/// assert_eq!(pretty(r#"{"b":[1,{}],"a":[]}"#), "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": []\n}");
/// ```
pub fn pretty(json: &str) -> String {
    let compacted = compact(json);
    let mut out = String::with_capacity(compacted.len() * 2);
    let mut strings = StringTracker::default();
    let mut depth = 0usize;
    let mut chars = compacted.chars().peekable();
    while let Some(c) = chars.next() {
        if strings.inside(c) {
            out.push(c);
            continue;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                // Empty containers stay on one line: `[]`, `{}`.
                match chars.peek() {
                    Some(&close @ ('}' | ']')) => {
                        out.push(close);
                        chars.next();
                    }
                    _ => {
                        depth += 1;
                        new_line(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Follows string literals character by character, so that structural
/// characters and whitespace inside strings are left alone.
#[derive(Default)]
struct StringTracker {
    in_string: bool,
    escaped: bool,
}

impl StringTracker {
    /// Feeds `c`; true if it belongs to a string literal (quotes included).
    fn inside(&mut self, c: char) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.in_string = false;
            }
            true
        } else if c == '"' {
            self.in_string = true;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_their_spaces_escapes_and_brackets() {
        let json = r#"[ "a, b: {c}", "q\"[ ]\\", 1 ]"#;
        assert_eq!(compact(json), r#"["a, b: {c}","q\"[ ]\\",1]"#);
        assert_eq!(
            pretty(json),
            "[\n  \"a, b: {c}\",\n  \"q\\\"[ ]\\\\\",\n  1\n]"
        );
    }

    #[test]
    fn pretty_matches_serde_json() {
        let json = r#"{"a":{"b":[1,2.5,null,{"c":[]}],"d":{}},"e":"x"}"#;
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(pretty(json), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn scalars_pass_through() {
        assert_eq!(pretty("15"), "15");
        assert_eq!(compact(" \"hi there\" "), "\"hi there\"");
        assert_eq!(pretty("12345678901234567890123"), "12345678901234567890123");
    }
}
