//! `-a` and `-k`: params the way the original jrpc command line took them.
//!
//! `jrpc Add -a 5,10` and `jrpc Multiply -a 6 -k b=7`: `-a` is a
//! comma-separated list of positional arguments, `-k` one of `key=value`
//! pairs. Each item (and each value) is taken as JSON when it parses and as
//! a string otherwise, so `-a 42,hello` sends `[42,"hello"]`; an item in
//! single quotes is the string inside them (`-a "'5'"` sends `["5"]`). Commas
//! inside brackets, braces or JSON strings do not split (`-a '[1,2],3'`).
//! Nothing is ever evaluated. Both flags may be repeated.
//!
//! Positional and named arguments together are sent as named params keyed
//! by position (`{"0":6,"b":7}`, see [`jrpc_shared::legacy::mixed_params`]),
//! which jrpc servers map to the method's parameter names and the legacy
//! dialect sends as `args` and `kwargs`.

use serde_json::value::RawValue;

use super::args::Params;

/// The params of `-a` lists and `-k` lists.
///
/// ```
/// use jrpc_cli::cli::lists::params_from_lists;
/// let text = |a: &[&str], k: &[&str]| {
///     let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
///     let params = params_from_lists(&own(a), &own(k)).unwrap();
///     serde_json::to_string(&params).unwrap()
/// };
/// assert_eq!(text(&["5,10"], &[]), "[5,10]");
/// assert_eq!(text(&["42,hello"], &[]), r#"[42,"hello"]"#);
/// assert_eq!(text(&[], &["b=7,name=Ann"]), r#"{"b":7,"name":"Ann"}"#);
/// assert_eq!(text(&["6"], &["b=7"]), r#"{"0":6,"b":7}"#);
/// ```
pub fn params_from_lists(args: &[String], kwargs: &[String]) -> Result<Params, String> {
    let positional: Vec<String> = args
        .iter()
        .flat_map(|list| split(list))
        .map(value)
        .collect();
    let mut named: Vec<(String, String)> = Vec::new();
    for pair in kwargs.iter().flat_map(|list| split(list)) {
        let Some((key, text)) = pair.split_once('=') else {
            return Err(format!(
                "-k item {pair:?} is not key=value (e.g. -k b=7,name=Ann)"
            ));
        };
        let key = unquote(key.trim()).unwrap_or(key.trim()).to_owned();
        if key.is_empty() {
            return Err(format!("-k item {pair:?} has no key"));
        }
        if named.iter().any(|(k, _)| *k == key) {
            return Err(format!("-k gives {key:?} twice"));
        }
        named.push((key, value(text)));
    }
    let array = format!("[{}]", positional.join(","));
    let object = {
        let members: Vec<String> = named
            .iter()
            .map(|(k, v)| format!("{}:{v}", string_literal(k)))
            .collect();
        format!("{{{}}}", members.join(","))
    };
    let raw = |text: String| {
        RawValue::from_string(text).map_err(|e| format!("could not build the params: {e}"))
    };
    // A -k key such as `0` would be read as a position.
    let refused = |e: String| format!("-k: {e}; use -a for positional arguments");
    jrpc_shared::legacy::refuse_position_keys(&object).map_err(refused)?;
    Ok(match (positional.is_empty(), named.is_empty()) {
        (true, true) => Params::None,
        (false, true) => Params::Exact(raw(array)?),
        (true, false) => Params::Exact(raw(object)?),
        (false, false) => {
            let mixed = jrpc_shared::legacy::mixed_params(&array, &object)
                .map_err(|e| format!("-a: {e}"))?;
            Params::Exact(raw(mixed)?)
        }
    })
}

/// One item as JSON text: itself if it is JSON, the string inside single
/// quotes, or else the item as a string.
fn value(item: &str) -> String {
    let trimmed = item.trim();
    if let Some(inner) = unquote(trimmed) {
        return string_literal(inner);
    }
    match serde_json::from_str::<&RawValue>(trimmed) {
        Ok(json) => json.get().to_owned(),
        Err(_) => string_literal(item),
    }
}

/// The text inside single quotes, if `text` is in them.
fn unquote(text: &str) -> Option<&str> {
    text.strip_prefix('\'')?.strip_suffix('\'')
}

fn string_literal(s: &str) -> String {
    // Encoding a &str as JSON cannot fail; fall back to an empty string.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Splits `list` at the commas that are outside brackets, braces and
/// quotes; an empty list has no items.
fn split(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut escaped, mut start) = (0usize, None, false, 0);
    for (i, c) in list.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            // A quote opens only at an item's start: `don't` is a word.
            (None, '"' | '\'') if list[start..i].trim().is_empty() => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !list.is_empty() {
        items.push(&list[start..]);
    }
    items
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn text(args: &[&str], kwargs: &[&str]) -> Result<String, String> {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let params = params_from_lists(&own(args), &own(kwargs))?;
        Ok(serde_json::to_string(&params).unwrap())
    }

    #[test]
    fn items_are_json_when_they_parse_and_strings_otherwise() {
        assert_eq!(text(&["5,10"], &[]).unwrap(), "[5,10]");
        assert_eq!(
            text(&["42,Hello World"], &[]).unwrap(),
            r#"[42,"Hello World"]"#
        );
        assert_eq!(text(&["'5',\"x\""], &[]).unwrap(), r#"["5","x"]"#);
        assert_eq!(text(&["1+1"], &[]).unwrap(), r#"["1+1"]"#);
        assert_eq!(text(&["true,null"], &[]).unwrap(), "[true,null]");
    }

    #[test]
    fn commas_inside_structures_and_strings_do_not_split() {
        assert_eq!(text(&["[1,2],3"], &[]).unwrap(), "[[1,2],3]");
        assert_eq!(
            text(&[r#"{"a":1,"b":2}"#], &[]).unwrap(),
            r#"[{"a":1,"b":2}]"#
        );
        assert_eq!(text(&[r#""a,b",c"#], &[]).unwrap(), r#"["a,b","c"]"#);
        assert_eq!(text(&["'a,b'"], &[]).unwrap(), r#"["a,b"]"#);
        assert_eq!(text(&["don't,x"], &[]).unwrap(), r#"["don't","x"]"#);
    }

    #[test]
    fn repeated_flags_add_up() {
        assert_eq!(text(&["5", "10"], &[]).unwrap(), "[5,10]");
        assert_eq!(text(&[], &["a=1", "b=x"]).unwrap(), r#"{"a":1,"b":"x"}"#);
    }

    #[test]
    fn both_kinds_together_are_keyed_by_position() {
        assert_eq!(text(&["6"], &["b=7"]).unwrap(), r#"{"0":6,"b":7}"#);
    }

    #[test]
    fn bad_pairs_are_refused_with_the_reason() {
        assert!(text(&[], &["b"]).unwrap_err().contains("not key=value"));
        assert!(text(&[], &["=1"]).unwrap_err().contains("no key"));
        assert!(text(&[], &["a=1,a=2"]).unwrap_err().contains("twice"));
        let position = text(&["6"], &["0=7"]).unwrap_err();
        assert!(position.contains("named like a position"), "{position}");
        assert!(text(&[], &["1=7"]).is_err());
    }

    #[test]
    fn nothing_given_is_no_params() {
        assert_eq!(text(&[], &[]).unwrap(), "null");
    }
}
