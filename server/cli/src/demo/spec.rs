//! The methods that the JSON-RPC 2.0 specification's examples call
//! (<https://www.jsonrpc.org/specification#examples>).
//!
//! Hosting exactly these lets the specification's request/response pairs be
//! replayed verbatim against the server as a conformance check. `update` and
//! `notify_hello` are sent as notifications there, so they do nothing and
//! accept any params.

use jrpc_shared::ErrorObject;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::number::Number;
use jrpc::{Connection, MethodDoc, MethodSet};

/// The params of `subtract`: `[minuend, subtrahend]` or
/// `{"minuend": .., "subtrahend": ..}`.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// The number subtracted from.
    pub minuend: Number,
    /// The number subtracted.
    pub subtrahend: Number,
}

/// Method name: `minuend - subtrahend`.
pub const SUBTRACT: &str = "subtract";

/// `minuend - subtrahend`.
pub fn subtract(d: Difference) -> Result<Number, ErrorObject> {
    Ok(d.minuend.try_sub(d.subtrahend)?)
}

/// Method name: the sum of any count of positional numbers.
pub const SUM: &str = "sum";

/// The sum of `numbers` (`0` for none).
pub fn sum(numbers: Vec<Number>) -> Result<Number, ErrorObject> {
    let mut total = Number::Int(0);
    for n in numbers {
        total = total.try_add(n)?;
    }
    Ok(total)
}

/// Method name: a notification target that ignores its params.
pub const UPDATE: &str = "update";

/// Method name: a notification target that ignores its params.
pub const NOTIFY_HELLO: &str = "notify_hello";

/// Method name: a notification target that sums its params, like `sum`.
pub const NOTIFY_SUM: &str = "notify_sum";

/// Method name: returns `["hello", 5]`; takes no params.
pub const GET_DATA: &str = "get_data";

/// The fixed answer of `get_data`.
pub fn get_data() -> (&'static str, i64) {
    ("hello", 5)
}

/// The specification's example methods, ready to add to a server.
pub fn methods() -> MethodSet {
    let mut set = MethodSet::new();
    set.sync_method(SUBTRACT, |_: Connection, d| subtract(d))
        .sync_method(SUM, |_: Connection, numbers| sum(numbers))
        .sync_method(NOTIFY_SUM, |_: Connection, numbers| sum(numbers))
        .sync_method(UPDATE, |_: Connection, _: IgnoredAny| {
            Ok::<_, ErrorObject>(())
        })
        .sync_method(NOTIFY_HELLO, |_: Connection, _: IgnoredAny| {
            Ok::<_, ErrorObject>(())
        })
        .sync_method(GET_DATA, |_: Connection, (): ()| {
            Ok::<_, ErrorObject>(get_data())
        });
    let sum_doc = |summary: &str| {
        MethodDoc::new(summary)
            .params::<Vec<Number>>()
            .param_names(&["numbers"])
            .result::<Number>()
    };
    set.describe(
        SUBTRACT,
        MethodDoc::new("minuend - subtrahend")
            .params::<Difference>()
            .result::<Number>(),
    )
    .describe(SUM, sum_doc("The sum of any number of numbers"))
    .describe(NOTIFY_SUM, sum_doc("As sum, sent as a notification"))
    .describe(UPDATE, MethodDoc::new("Takes any params and does nothing"))
    .describe(
        NOTIFY_HELLO,
        MethodDoc::new("Takes any params and does nothing"),
    )
    .describe(
        GET_DATA,
        MethodDoc::new("The specification's example data")
            .params::<()>()
            .result::<(String, i64)>(),
    );
    set
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use jrpc_shared::{Raw, code, decode_params};
    use serde::de::DeserializeOwned;

    fn params<P: DeserializeOwned>(json: &str) -> Result<P, ErrorObject> {
        let raw = Raw::new(json).unwrap();
        decode_params(Some(raw))
    }

    fn answer<T: serde::Serialize>(value: T) -> String {
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn subtract_positional_and_named() {
        assert_eq!(answer(subtract(params("[42, 23]").unwrap()).unwrap()), "19");
        assert_eq!(
            answer(subtract(params("[23, 42]").unwrap()).unwrap()),
            "-19"
        );
        let named = r#"{"subtrahend": 23, "minuend": 42}"#;
        assert_eq!(answer(subtract(params(named).unwrap()).unwrap()), "19");
        let e = params::<Difference>(r#"{"minuend": 1}"#).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
    }

    #[test]
    fn sum_of_any_count() {
        assert_eq!(answer(sum(params("[1, 2, 4]").unwrap()).unwrap()), "7");
        assert_eq!(answer(sum(params("[]").unwrap()).unwrap()), "0");
        assert_eq!(answer(sum(decode_params(None).unwrap()).unwrap()), "0");
        assert_eq!(answer(sum(params("[0.5, 0.5]").unwrap()).unwrap()), "1");
        let e = params::<Vec<Number>>(r#"[1, "two"]"#).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
    }

    #[test]
    fn get_data_and_ignoring_methods() {
        assert_eq!(answer(get_data()), r#"["hello",5]"#);
        assert!(decode_params::<()>(None).is_ok());
        for any in ["[1, 2, 3, 4, 5]", r#"{"foo": "bar"}"#, "[7]"] {
            assert!(params::<IgnoredAny>(any).is_ok(), "{any}");
        }
        assert!(decode_params::<IgnoredAny>(None).is_ok());
    }

    #[test]
    fn all_methods_are_registered() {
        let mut names: Vec<_> = methods().names().map(str::to_owned).collect();
        names.sort();
        let expected = [
            "get_data",
            "notify_hello",
            "notify_sum",
            "subtract",
            "sum",
            "update",
        ];
        assert_eq!(names, expected);
    }
}
