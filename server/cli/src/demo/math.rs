//! The calculator methods: `Add`, `Subtract`, `Multiply`, `Divide` (the names
//! the original jrpc calculator used, so its page and clients keep working)
//! and `math.sum`.
//!
//! Each handler is a plain function of its decoded params, registered as a
//! synchronous method: arithmetic never waits, so it takes the fast path that
//! answers without spawning a task.

use jrpc_shared::ErrorObject;
use serde::Deserialize;

use super::number::{NOT_FINITE, Number};
use jrpc::{Connection, MethodDoc, MethodSet};

/// Application error code for a division by zero (outside the range
/// JSON-RPC reserves).
pub const DIVISION_BY_ZERO: i64 = 100;

/// The two operands of the calculator methods: `[a, b]` or `{"a": .., "b": ..}`.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operands {
    /// The left operand.
    pub a: Number,
    /// The right operand.
    pub b: Number,
}

/// The params of `math.sum`: `[x, y]` or `{"x": .., "y": ..}`.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Addends {
    /// The first addend.
    pub x: Number,
    /// The second addend.
    pub y: Number,
}

/// Method name: `a + b`.
pub const ADD: &str = "Add";

/// `a + b`.
pub fn add(Operands { a, b }: Operands) -> Result<Number, ErrorObject> {
    Ok(a.try_add(b)?)
}

/// Method name: `a - b`.
pub const SUBTRACT: &str = "Subtract";

/// `a - b`.
pub fn subtract(Operands { a, b }: Operands) -> Result<Number, ErrorObject> {
    Ok(a.try_sub(b)?)
}

/// Method name: `a * b`.
pub const MULTIPLY: &str = "Multiply";

/// `a * b`.
pub fn multiply(Operands { a, b }: Operands) -> Result<Number, ErrorObject> {
    Ok(a.try_mul(b)?)
}

/// Method name: `a / b`.
pub const DIVIDE: &str = "Divide";

/// `a / b`; a zero divisor is error [`DIVISION_BY_ZERO`] "division by zero".
pub fn divide(Operands { a, b }: Operands) -> Result<Number, ErrorObject> {
    // Checked here rather than left to the float result so the caller gets a
    // specific code instead of the generic "not a finite number".
    if b.is_zero() {
        return Err(ErrorObject::new(DIVISION_BY_ZERO, "division by zero"));
    }
    Ok(a.try_div(b)?)
}

/// Method name: `x + y`, with named params `x` and `y`.
pub const SUM: &str = "math.sum";

/// `x + y`.
pub fn sum(Addends { x, y }: Addends) -> Result<Number, ErrorObject> {
    Ok(x.try_add(y)?)
}

/// The calculator methods, ready to add to a server.
pub fn methods() -> MethodSet {
    let mut set = MethodSet::new();
    set.sync_method(ADD, |_: Connection, args| add(args))
        .sync_method(SUBTRACT, |_: Connection, args| subtract(args))
        .sync_method(MULTIPLY, |_: Connection, args| multiply(args))
        .sync_method(DIVIDE, |_: Connection, args| divide(args))
        .sync_method(SUM, |_: Connection, args| sum(args));
    let doc = |summary: &str| {
        MethodDoc::new(summary)
            .params::<Operands>()
            .result::<Number>()
            .error(NOT_FINITE, "result is not a finite number")
    };
    set.describe(ADD, doc("a + b"))
        .describe(SUBTRACT, doc("a - b"))
        .describe(MULTIPLY, doc("a * b"))
        .describe(
            DIVIDE,
            doc("a / b").error(DIVISION_BY_ZERO, "division by zero"),
        )
        .describe(
            SUM,
            MethodDoc::new("x + y")
                .params::<Addends>()
                .result::<Number>()
                .error(NOT_FINITE, "result is not a finite number"),
        );
    set
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use jrpc_shared::{Raw, code, decode_params};

    fn operands(json: &str) -> Result<Operands, ErrorObject> {
        let raw = Raw::new(json).unwrap();
        decode_params(Some(raw))
    }

    fn answer(result: Result<Number, ErrorObject>) -> String {
        serde_json::to_string(&result.unwrap()).unwrap()
    }

    #[test]
    fn positional_and_named_params() {
        assert_eq!(answer(add(operands("[5, 10]").unwrap())), "15");
        assert_eq!(answer(add(operands(r#"{"b": 10, "a": 5}"#).unwrap())), "15");
        assert_eq!(answer(subtract(operands("[5, 10]").unwrap())), "-5");
        assert_eq!(answer(multiply(operands("[2.5, 4]").unwrap())), "10");
        assert_eq!(
            answer(add(operands("[0.1, 0.2]").unwrap())),
            "0.30000000000000004"
        );
    }

    #[test]
    fn division() {
        assert_eq!(answer(divide(operands("[1, 4]").unwrap())), "0.25");
        assert_eq!(answer(divide(operands("[6, 3]").unwrap())), "2");
        for zero in ["[1, 0]", "[0, 0.0]", "[1, -0.0]"] {
            let e = divide(operands(zero).unwrap()).unwrap_err();
            assert_eq!(
                (e.code, &*e.message),
                (DIVISION_BY_ZERO, "division by zero")
            );
        }
    }

    #[test]
    fn bad_params_are_invalid_params() {
        for bad in [
            r#"["x", 1]"#,
            "[1]",
            "[1, 2, 3]",
            r#"{"a": 1}"#,
            r#"{"a": 1, "b": 2, "c": 3}"#,
        ] {
            let e = operands(bad).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS, "{bad}: {e}");
        }
        let e = operands(r#"["x", 1]"#).unwrap_err();
        assert!(e.message.contains("expected a number"), "{e}");
    }

    #[test]
    fn overflowing_float_is_an_error() {
        let e = multiply(operands("[1e308, 10]").unwrap()).unwrap_err();
        assert_eq!(e.code, super::super::number::NOT_FINITE);
    }

    #[test]
    fn math_sum() {
        let raw = Raw::new(r#"{"x": 2, "y": 3}"#).unwrap();
        assert_eq!(answer(sum(decode_params(Some(raw)).unwrap())), "5");
        let raw = Raw::new("[2, 0.5]").unwrap();
        assert_eq!(answer(sum(decode_params(Some(raw)).unwrap())), "2.5");
    }

    #[test]
    fn all_methods_are_registered() {
        let mut names: Vec<_> = methods().names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(names, ["Add", "Divide", "Multiply", "Subtract", "math.sum"]);
    }
}
