//! Turning command-line arguments into JSON-RPC params.
//!
//! Every argument is parsed as JSON by serde_json and kept as raw text, so
//! numbers keep their exact digits and objects their key order; nothing is ever
//! evaluated. The shape rule:
//!
//! - no arguments: no params at all;
//! - exactly one argument that is a JSON object: that object, as named params;
//! - otherwise: all arguments, in order, as a positional array.
//!
//! So a single array argument is one positional param (`f '[1,2]'` sends
//! `[[1,2]]`); `--params` gives the params value itself when that is not wanted.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A method and its params, as `jrpc call` and `jrpc subscribe` take them.
#[derive(Debug, clap::Args)]
pub struct MethodArgs {
    /// The method.
    #[arg(value_name = "METHOD")]
    pub method: String,
    /// The params, one JSON value per argument.
    #[arg(
        value_name = "ARGS",
        allow_negative_numbers = true,
        conflicts_with = "params"
    )]
    pub args: Vec<String>,
    /// The exact params value (a JSON array or object) instead of ARGS.
    #[arg(long, value_name = "JSON", value_parser = parse_params_option)]
    pub params: Option<Box<RawValue>>,
}

impl MethodArgs {
    /// The params: `--params` as given, else from the ARGS.
    pub fn params(&self) -> Result<Params, ArgError> {
        match &self.params {
            Some(exact) => Ok(Params::Exact(exact.clone())),
            None => params_from_args(&self.args),
        }
    }
}

/// An argument that is not valid JSON.
#[derive(Debug, thiserror::Error)]
#[error("argument {position} ({text:?}) is not valid JSON: {source}{hint}")]
pub struct ArgError {
    /// Which argument after the method name, counting from 1.
    pub position: usize,
    /// The argument as given.
    pub text: String,
    /// What serde_json found wrong with it.
    pub source: serde_json::Error,
    /// Advice on quoting, or empty when it would not help.
    hint: String,
}

/// The params of a call, ready to serialise: raw JSON values as the user wrote them.
#[derive(Debug)]
pub enum Params {
    /// No params member at all.
    None,
    /// One value sent as the params themselves (a named-params object, or `--params`).
    Exact(Box<RawValue>),
    /// The arguments as a positional array.
    Positional(Vec<Box<RawValue>>),
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // `null` is how the client library spells "no params member".
            Params::None => serializer.serialize_unit(),
            Params::Exact(raw) => raw.serialize(serializer),
            Params::Positional(values) => values.serialize(serializer),
        }
    }
}

/// Builds the params of a call from its arguments (see the module docs for the rule).
///
/// ```
/// use jrpc_cli::cli::args::params_from_args;
/// let params = params_from_args(&["5".into(), "10".into()]).unwrap();
/// assert_eq!(serde_json::to_string(&params).unwrap(), "[5,10]");
/// ```
pub fn params_from_args(args: &[String]) -> Result<Params, ArgError> {
    let mut values = args
        .iter()
        .enumerate()
        .map(|(i, text)| parse_arg(i + 1, text))
        .collect::<Result<Vec<_>, _>>()?;
    let named = values.len() == 1 && values.iter().all(|v| v.get().starts_with('{'));
    Ok(match values.pop() {
        None => Params::None,
        Some(object) if named => Params::Exact(object),
        Some(last) => {
            values.push(last);
            Params::Positional(values)
        }
    })
}

/// Parses the value of `--params`: any JSON array or object.
pub fn parse_params_option(text: &str) -> Result<Box<RawValue>, String> {
    let raw: Box<RawValue> =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match raw.get().as_bytes().first() {
        Some(b'[' | b'{') => Ok(raw),
        _ => Err(format!(
            "params must be a JSON array or object, not {}",
            raw.get()
        )),
    }
}

fn parse_arg(position: usize, text: &str) -> Result<Box<RawValue>, ArgError> {
    serde_json::from_str(text).map_err(|source| ArgError {
        position,
        text: text.to_owned(),
        source,
        hint: quoting_hint(text),
    })
}

/// A bare word such as `hello` is the usual mistake: the shell removed the
/// quotes, or there were none. Structured or already quoted text needs other fixes.
fn quoting_hint(text: &str) -> String {
    let looks_structured = matches!(text.trim_start().chars().next(), Some('{' | '[' | '"'));
    if looks_structured {
        return String::new();
    }
    // serde_json::to_string of a &str cannot fail; fall back to the text as is.
    let quoted = serde_json::to_string(text).unwrap_or_else(|_| text.to_owned());
    format!("; write strings in JSON quotes, e.g. '{quoted}'")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The params as sent, or None for no params member.
    fn params(args: &[&str]) -> Option<String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let params = params_from_args(&args).unwrap();
        let encoded = jrpc_shared::encode_params(&params).unwrap();
        encoded.map(|raw| raw.get().to_owned())
    }

    fn error(args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        params_from_args(&args).unwrap_err().to_string()
    }

    #[test]
    fn no_args_means_no_params() {
        assert_eq!(params(&[]), None);
    }

    #[test]
    fn values_become_a_positional_array() {
        assert_eq!(params(&["5", "10"]).as_deref(), Some("[5,10]"));
        assert_eq!(
            params(&["\"a\"", "null", "true", "-1.5e3"]).as_deref(),
            Some(r#"["a",null,true,-1.5e3]"#)
        );
    }

    #[test]
    fn one_object_is_named_params() {
        assert_eq!(
            params(&[r#"{"y":2, "x":1}"#]).as_deref(),
            Some(r#"{"y":2, "x":1}"#)
        );
    }

    #[test]
    fn objects_among_several_args_are_positional() {
        assert_eq!(params(&["{}", "1"]).as_deref(), Some("[{},1]"));
    }

    #[test]
    fn one_array_is_one_positional_param() {
        assert_eq!(params(&["[1,2]"]).as_deref(), Some("[[1,2]]"));
        assert_eq!(params(&["7"]).as_deref(), Some("[7]"));
    }

    #[test]
    fn surrounding_whitespace_is_dropped_and_digits_are_kept() {
        assert_eq!(
            params(&[" 12345678901234567890123 "]).as_deref(),
            Some("[12345678901234567890123]")
        );
    }

    #[test]
    fn a_bare_word_is_an_error_with_a_quoting_hint() {
        let e = error(&["1", "hello"]);
        assert!(
            e.starts_with(r#"argument 2 ("hello") is not valid JSON: "#),
            "{e}"
        );
        assert!(
            e.ends_with(r#"write strings in JSON quotes, e.g. '"hello"'"#),
            "{e}"
        );
    }

    #[test]
    fn broken_structures_get_no_quoting_hint() {
        let e = error(&[r#"{"a":1"#]);
        assert!(e.starts_with("argument 1 "), "{e}");
        assert!(!e.contains("quotes"), "{e}");
    }

    #[test]
    fn code_is_never_evaluated() {
        let e = error(&["1+1"]);
        assert!(e.contains("argument 1"), "{e}");
        assert!(error(&["NaN"]).contains("argument 1"));
    }

    #[test]
    fn params_option_takes_arrays_and_objects_only() {
        assert_eq!(parse_params_option("[1, 2]").unwrap().get(), "[1, 2]");
        assert_eq!(
            parse_params_option(r#"{"a":1}"#).unwrap().get(),
            r#"{"a":1}"#
        );
        assert!(
            parse_params_option("5")
                .unwrap_err()
                .contains("array or object")
        );
        assert!(
            parse_params_option("[")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }
}

/// `--timeout SECS`, for the commands that connect, ask once and print.
#[derive(Debug, clap::Args)]
pub struct TimeoutArg {
    /// Seconds allowed for connecting and the answer (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = super::call::parse_timeout)]
    pub timeout: std::time::Duration,
}

/// The instant `timeout` from now, one deadline for connecting and the
/// answer; a timeout too large to represent means "practically never".
pub fn deadline_after(timeout: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(60 * 60 * 24 * 365 * 30))
}
