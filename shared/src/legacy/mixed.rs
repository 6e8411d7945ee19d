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
use crate::members::for_each_member;
use crate::wire::push_str_literal;

/// The most positional arguments one call may have in this form (Python's
/// own limit for many years): more are refused rather than copied.
pub const MAX_POSITIONAL: usize = 255;

/// Named params for positional `args` (a JSON array) and named `kwargs` (a
/// JSON object) together: the array's items keyed `"0"`, `"1"`, ... first.
/// Refused (with the message of Python's `TypeError`) when `kwargs` has a key
/// that reads as a position, which would be taken for one, or `args` has
/// more than [`MAX_POSITIONAL`] items.
///
/// ```
/// use jrpc_shared::legacy::mixed_params;
/// assert_eq!(mixed_params("[6]", r#"{"b": 7}"#).unwrap(), r#"{"0":6,"b": 7}"#);
/// assert!(mixed_params("[6]", r#"{"0": 7}"#).is_err());
/// ```
pub fn mixed_params(args: &str, kwargs: &str) -> Result<String, String> {
    refuse_position_keys(kwargs)?;
    let items = items(args);
    if items.len() > MAX_POSITIONAL {
        return Err(too_many());
    }
    let mut out = String::with_capacity(args.len() + kwargs.len() + 8 * items.len() + 2);
    out.push('{');
    for (i, value) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        push_u64(&mut out, i as u64);
        out.push_str("\":");
        out.push_str(value);
    }
    let inside = kwargs
        .trim_ascii()
        .strip_prefix('{')
        .and_then(|k| k.strip_suffix('}'))
        .unwrap_or_default();
    if !inside.trim_ascii().is_empty() {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(inside);
    }
    out.push('}');
    Ok(out)
}

/// Refuses named arguments (a JSON object) with a key that reads as a
/// position (`"0"`): in params such a key means one.
pub fn refuse_position_keys(kwargs: &str) -> Result<(), String> {
    let mut found = None;
    let _ = for_each_member(&mut Cursor::new(kwargs), 0, |key, _| {
        if found.is_none() && index(key.raw()).is_some() {
            found = Some(key.raw());
        }
    });
    match found {
        Some(key) => Err(concat(&[
            "a keyword argument may not be named like a position ('",
            key,
            "')",
        ])),
        None => Ok(()),
    }
}

/// The positional and the named part of params written as
/// [`mixed_params`] does: `None` unless `params` is an object whose members
/// keyed by position are exactly `"0"`, `"1"`, ... (then those in order,
/// and an object of the others).
pub(crate) fn split_mixed(params: &str) -> Option<(String, String)> {
    let (positional, named) = members(params)?.ok()?;
    let mut args = String::from("[");
    for (i, value) in positional.iter().enumerate() {
        if i > 0 {
            args.push(',');
        }
        args.push_str(value);
    }
    args.push(']');
    Some((args, object(named.iter().map(|(k, v)| (k.raw(), *v)), true)))
}

/// Params written as [`mixed_params`] does, with each position replaced by
/// the name of the parameter there: `None` unless `params` has a member
/// `"0"`; an error (the message of Python's `TypeError` for the same
/// mistake) when the positions have a gap, a position has no name or a name
/// is given twice.
///
/// ```
/// use jrpc_shared::legacy::name_positions;
/// let names = ["a", "b"];
/// assert_eq!(name_positions(r#"{"0":6,"b":7}"#, &names), Some(Ok(r#"{"a":6,"b":7}"#.into())));
/// assert!(name_positions(r#"{"a":6,"b":7}"#, &names).is_none());
/// assert!(name_positions(r#"{"0":6,"a":7}"#, &names).unwrap().is_err());
/// ```
pub fn name_positions(params: &str, names: &[&str]) -> Option<Result<String, String>> {
    Some(members(params)?.and_then(|(positional, named)| assign(names, &positional, &named)))
}

fn assign(
    names: &[&str],
    positional: &[&str],
    named: &[(Str<'_>, &str)],
) -> Result<String, String> {
    if positional.len() > names.len() {
        let mut count = String::new();
        push_u64(&mut count, names.len() as u64);
        return Err(concat(&["takes at most ", &count, " positional arguments"]));
    }
    let mut out: Vec<(&str, &str)> = names
        .iter()
        .copied()
        .zip(positional.iter().copied())
        .collect();
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

/// An object's members split into those keyed by a position, in order, and
/// the others. `None` when `params` is not an object or has no member `"0"`;
/// an error when the positions are not `0, 1, 2, ...` without a gap or a
/// repeat, or more than [`MAX_POSITIONAL`]. Memory grows with the number of
/// members, never with the value of a position.
#[allow(clippy::type_complexity)]
fn members(params: &str) -> Option<Result<(Vec<&str>, Vec<(Str<'_>, &str)>), String>> {
    let mut c = Cursor::new(params);
    if c.peek() != Some(b'{') {
        return None;
    }
    let mut positional: Vec<(usize, &str)> = Vec::new();
    let mut named = Vec::new();
    for_each_member(&mut c, 0, |key, value| match index(key.raw()) {
        Some(i) => positional.push((i, value)),
        None => named.push((key, value)),
    })
    .ok()?;
    if !positional.iter().any(|(i, _)| *i == 0) {
        return None;
    }
    if positional.len() > MAX_POSITIONAL {
        return Some(Err(too_many()));
    }
    // n positions, each of 0..n found: exactly 0..n once each. A search
    // per position (at most 255 of them) rather than a sort or a table of
    // slots, which would add kilobytes to the wasm.
    let mut ordered = Vec::with_capacity(positional.len());
    for at in 0..positional.len() {
        match positional.iter().find(|(i, _)| *i == at) {
            Some((_, value)) => ordered.push(*value),
            None => {
                return Some(Err(
                    "positional arguments must be keyed 0, 1, 2, ... once each, without a gap"
                        .into(),
                ));
            }
        }
    }
    Some(Ok((ordered, named)))
}

fn too_many() -> String {
    let mut count = String::new();
    push_u64(&mut count, MAX_POSITIONAL as u64);
    concat(&["more than ", &count, " positional arguments"])
}

/// `key` as a position: digits only, no leading zero.
fn index(key: &str) -> Option<usize> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    // By hand rather than `str::parse`, whose general parser the wasm
    // would carry for this alone.
    key.bytes().try_fold(0usize, |n, b| {
        let digit = usize::from(b.wrapping_sub(b'0'));
        (digit < 10).then_some(())?;
        n.checked_mul(10)?.checked_add(digit)
    })
}

/// The items of a JSON array's text: at most one more than
/// [`MAX_POSITIONAL`], which is enough to refuse the call.
fn items(array: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut c = Cursor::new(array);
    if c.expect(b'[').is_err() || c.eat(b']') {
        return out;
    }
    while let Ok(value) = c.value(1) {
        out.push(value);
        if out.len() > MAX_POSITIONAL || !c.eat(b',') {
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
