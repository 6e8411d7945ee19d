//! Positional and named arguments in one call.
//!
//! Python methods, and so the original jrpc dialect, take both at once
//! (`Multiply(6, b=7)`: `"args": [6], "kwargs": {"b": 7}`); JSON-RPC 2.0
//! params are either an array or an object. jrpc writes such a call as named
//! params whose positional members are keyed by their index:
//! `{"0": 6, "b": 7}`. A Rust handler whose params are a struct takes it
//! (its field names say which name each index has, see
//! [`crate::param_names`]), the legacy dialect turns it back into `args` and
//! `kwargs`, and `jrpc Multiply -a 6 -k b=7` sends it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::digits::push_u64;
use crate::error_object::concat;
use crate::json::{Cursor, Str};
use crate::parse::for_each_member;
use crate::wire::push_str_literal;

/// Named params for positional `args` (a JSON array) and named `kwargs` (a
/// JSON object) together: the array's items keyed `"0"`, `"1"`, ... first.
///
/// ```
/// use jrpc_shared::legacy::mixed_params;
/// assert_eq!(mixed_params("[6]", r#"{"b": 7}"#), r#"{"0":6,"b": 7}"#);
/// ```
pub fn mixed_params(args: &str, kwargs: &str) -> String {
    let mut out = String::with_capacity(args.len() + kwargs.len() + 8);
    out.push('{');
    for (i, value) in items(args).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        push_u64(&mut out, i as u64);
        out.push_str("\":");
        out.push_str(value);
    }
    let inside = kwargs
        .trim()
        .strip_prefix('{')
        .and_then(|k| k.strip_suffix('}'))
        .unwrap_or_default();
    if !inside.trim().is_empty() {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(inside);
    }
    out.push('}');
    out
}

/// The positional and the named part of params written as
/// [`mixed_params`] does: `None` unless `params` is an object with a member
/// keyed `"0"` (then the members `"0"`, `"1"`, ... in order, and an object
/// of the others).
pub(crate) fn split_mixed(params: &str) -> Option<(String, String)> {
    let (positional, named) = members(params)?;
    let mut args = String::from("[");
    for (i, value) in positional.iter().enumerate() {
        if i > 0 {
            args.push(',');
        }
        args.push_str((*value)?);
    }
    args.push(']');
    Some((args, object(named.iter().map(|(k, v)| (k.raw(), *v)), true)))
}

/// Params written as [`mixed_params`] does, with each index replaced by the
/// name of the parameter at that position: `None` unless `params` has a
/// member `"0"`; an error (the message of Python's `TypeError` for the
/// same mistake) when an index has no name or a name is given twice.
///
/// ```
/// use jrpc_shared::legacy::name_positions;
/// let names = ["a", "b"];
/// assert_eq!(name_positions(r#"{"0":6,"b":7}"#, &names), Some(Ok(r#"{"a":6,"b":7}"#.into())));
/// assert!(name_positions(r#"{"a":6,"b":7}"#, &names).is_none());
/// assert!(name_positions(r#"{"0":6,"a":7}"#, &names).unwrap().is_err());
/// ```
pub fn name_positions(params: &str, names: &[&str]) -> Option<Result<String, String>> {
    let (positional, named) = members(params)?;
    Some(assign(names, &positional, &named))
}

fn assign(
    names: &[&str],
    positional: &[Option<&str>],
    named: &[(Str<'_>, &str)],
) -> Result<String, String> {
    if positional.len() > names.len() || positional.iter().any(Option::is_none) {
        let mut count = String::new();
        push_u64(&mut count, names.len() as u64);
        return Err(concat(&["takes at most ", &count, " positional arguments"]));
    }
    let mut out: Vec<(&str, &str)> = Vec::new();
    for (name, value) in names.iter().zip(positional.iter().flatten()) {
        out.push((name, value));
    }
    for (key, value) in named {
        let key = key.decode().unwrap_or_default();
        if out.iter().any(|(name, _)| **name == *key) {
            return Err(concat(&["got multiple values for argument '", &key, "'"]));
        }
        match names.iter().copied().find(|name| *name == key.as_ref()) {
            Some(name) => out.push((name, value)),
            None => return Err(concat(&["got an unexpected keyword argument '", &key, "'"])),
        }
    }
    Ok(object(out, false))
}

/// An object's members split into those keyed by an index (by position;
/// `None` for a gap) and the others. `None` when no member is keyed `"0"`
/// or `params` is not an object.
#[allow(clippy::type_complexity)]
fn members(params: &str) -> Option<(Vec<Option<&str>>, Vec<(Str<'_>, &str)>)> {
    let mut c = Cursor::new(params);
    if c.peek() != Some(b'{') {
        return None;
    }
    let mut positional: Vec<Option<&str>> = Vec::new();
    let mut named = Vec::new();
    for_each_member(&mut c, 0, |key, value| match index(key.raw()) {
        Some(i) if i <= positional.len() + 64 => {
            if positional.len() <= i {
                positional.resize(i + 1, None);
            }
            if let Some(slot) = positional.get_mut(i) {
                *slot = Some(value);
            }
        }
        _ => named.push((key, value)),
    })
    .ok()?;
    positional.first().copied().flatten()?;
    Some((positional, named))
}

/// `key` as an index: digits only, no leading zero.
fn index(key: &str) -> Option<usize> {
    let plain = key.bytes().all(|b| b.is_ascii_digit());
    if !plain || key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    key.parse().ok()
}

/// The items of a JSON array's text.
fn items(array: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut c = Cursor::new(array);
    if c.expect(b'[').is_err() || c.eat(b']') {
        return out;
    }
    while let Ok(value) = c.value(1) {
        out.push(value);
        if !c.eat(b',') {
            break;
        }
    }
    out
}

/// An object of `members`; `raw_keys`: the keys are already the text
/// between a JSON string's quotes.
fn object<'a>(members: impl IntoIterator<Item = (&'a str, &'a str)>, raw_keys: bool) -> String {
    let mut out = String::from("{");
    for (key, value) in members {
        if out.len() > 1 {
            out.push(',');
        }
        if raw_keys {
            out.push('"');
            out.push_str(key);
            out.push('"');
        } else {
            push_str_literal(&mut out, key);
        }
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}
