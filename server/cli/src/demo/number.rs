//! A JSON number for the demo arithmetic that keeps integers exact.
//!
//! Decoding into `f64` would turn `Add 5 10` into `15.0`, and decoding into
//! `i64` would refuse `0.5`. [`Number`] keeps whichever the caller sent: two
//! integers stay an exact integer as long as `i64` holds the result, anything
//! else is computed in `f64`. Results are written the way JavaScript prints
//! numbers (a whole float is written without `.0`), so the browser page and a
//! native client see the same text. Arithmetic never yields NaN or Infinity:
//! such a result is an error ([`NotFinite`]) rather than a `null` on the wire.

use std::fmt;

use jrpc_shared::ErrorObject;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// Application error code for an arithmetic result that is NaN or Infinity
/// (outside the range JSON-RPC reserves).
pub const NOT_FINITE: i64 = 101;

/// Floats with a magnitude below this are exact integers when whole (2^53),
/// so they can be written without a fraction and read back unchanged.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// A JSON number: an exact integer or a finite float.
///
/// Deserializes from a JSON number or a string holding one (`"5"`, `" 2.5"`);
/// anything else is a decode error ("invalid value: string \"x\", expected
/// a number"), which the library answers with -32602.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number. The arithmetic here only produces finite values.
    Float(f64),
}

/// An arithmetic result was NaN or Infinity, which JSON cannot carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("result is not a finite number")]
pub struct NotFinite;

impl From<NotFinite> for ErrorObject {
    fn from(e: NotFinite) -> Self {
        ErrorObject::new(NOT_FINITE, e.to_string())
    }
}

impl Number {
    /// A float result, refused if it is NaN or Infinity.
    pub fn float(x: f64) -> Result<Number, NotFinite> {
        if x.is_finite() {
            Ok(Number::Float(x))
        } else {
            Err(NotFinite)
        }
    }

    /// The value as `f64` (large integers round to the nearest float).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(x) => x,
        }
    }

    /// True for `0` and `0.0` (and `-0.0`).
    pub fn is_zero(self) -> bool {
        self.as_f64() == 0.0
    }

    /// `self + rhs`: exact when both are integers and the sum fits `i64`.
    pub fn try_add(self, rhs: Number) -> Result<Number, NotFinite> {
        self.combine(rhs, i64::checked_add, |a, b| a + b)
    }

    /// `self - rhs`: exact when both are integers and the difference fits `i64`.
    pub fn try_sub(self, rhs: Number) -> Result<Number, NotFinite> {
        self.combine(rhs, i64::checked_sub, |a, b| a - b)
    }

    /// `self * rhs`: exact when both are integers and the product fits `i64`.
    pub fn try_mul(self, rhs: Number) -> Result<Number, NotFinite> {
        self.combine(rhs, i64::checked_mul, |a, b| a * b)
    }

    /// `self / rhs`: an integer when both are integers that divide evenly
    /// (`6 / 3 = 2`), else a float (`1 / 4 = 0.25`). Dividing by zero gives
    /// [`NotFinite`]; callers that want a friendlier error check
    /// [`Number::is_zero`] first.
    pub fn try_div(self, rhs: Number) -> Result<Number, NotFinite> {
        // Only an even division stays integral; `checked_rem` is None for a
        // zero divisor and for i64::MIN / -1, which then go through f64.
        let exact = |a: i64, b: i64| match a.checked_rem(b) {
            Some(0) => a.checked_div(b),
            _ => None,
        };
        self.combine(rhs, exact, |a, b| a / b)
    }

    /// Applies the integer operation when both sides are integers and it does
    /// not overflow; otherwise the float operation, checked for finiteness.
    fn combine(
        self,
        rhs: Number,
        int_op: impl Fn(i64, i64) -> Option<i64>,
        float_op: impl Fn(f64, f64) -> f64,
    ) -> Result<Number, NotFinite> {
        if let (Number::Int(a), Number::Int(b)) = (self, rhs) {
            if let Some(exact) = int_op(a, b) {
                return Ok(Number::Int(exact));
            }
        }
        Number::float(float_op(self.as_f64(), rhs.as_f64()))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

/// A JSON number, described inline (the legacy dialect's numeric strings
/// are a courtesy, not the contract).
impl schemars::JsonSchema for Number {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number" })
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::Int(i) => serializer.serialize_i64(i),
            // Like JavaScript: `15`, not `15.0`, while the integer is exact.
            Number::Float(x) if x.trunc() == x && x.abs() < EXACT_INTEGER_LIMIT => {
                serializer.serialize_i64(x as i64)
            }
            Number::Float(x) => serializer.serialize_f64(x),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// Accepts the three kinds of number serde_json produces, and a string that
/// holds a number: the original jrpc calculator page sends its inputs' text
/// (`"5"`), which its Python server converted (`int(a) + int(b)`).
struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (or a string holding one)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
        let text = v.trim();
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Number::Int(i));
        }
        match text.parse::<f64>() {
            // `parse` also takes "inf" and "NaN", which are no numbers here.
            Ok(x) if x.is_finite() => Ok(Number::Float(x)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Number::Int(i),
            // Beyond i64: still a number, just no longer an exact one.
            Err(_) => Number::Float(v as f64),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Number::float(v).map_err(|_| E::custom("expected a finite number"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Number, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    fn json(n: Number) -> String {
        serde_json::to_string(&n).unwrap()
    }

    #[test]
    fn decodes_strings_that_hold_numbers_as_the_original_calculator_sent_them() {
        assert_eq!(parse(r#""5""#), Ok(Number::Int(5)));
        assert_eq!(parse(r#"" -10 ""#), Ok(Number::Int(-10)));
        assert_eq!(parse(r#""2.5""#), Ok(Number::Float(2.5)));
        assert_eq!(parse(r#""1e3""#), Ok(Number::Float(1000.0)));
    }

    #[test]
    fn decodes_only_numbers() {
        assert_eq!(parse("5"), Ok(Number::Int(5)));
        assert_eq!(parse("-7"), Ok(Number::Int(-7)));
        assert_eq!(parse("2.5"), Ok(Number::Float(2.5)));
        assert_eq!(parse("5.0"), Ok(Number::Float(5.0)));
        assert_eq!(
            parse("18446744073709551615"),
            Ok(Number::Float(u64::MAX as f64))
        );
        let err = parse(r#""x""#).unwrap_err();
        assert!(
            err.starts_with(r#"invalid value: string "x", expected a number"#),
            "{err}"
        );
        assert!(parse(r#""inf""#).is_err());
        assert!(parse(r#""NaN""#).is_err());
        assert!(parse("true").unwrap_err().contains("expected a number"));
        assert!(parse("null").unwrap_err().contains("expected a number"));
        assert!(parse("[1]").unwrap_err().contains("expected a number"));
    }

    #[test]
    fn integers_stay_exact() {
        let (five, ten) = (Number::Int(5), Number::Int(10));
        assert_eq!(five.try_add(ten), Ok(Number::Int(15)));
        assert_eq!(json(five.try_add(ten).unwrap()), "15");
        assert_eq!(five.try_sub(ten), Ok(Number::Int(-5)));
        assert_eq!(five.try_mul(ten), Ok(Number::Int(50)));
        let big = Number::Int(i64::MAX - 1);
        assert_eq!(big.try_add(Number::Int(1)), Ok(Number::Int(i64::MAX)));
    }

    #[test]
    fn division_is_exact_only_when_even() {
        assert_eq!(Number::Int(6).try_div(Number::Int(3)), Ok(Number::Int(2)));
        assert_eq!(
            Number::Int(1).try_div(Number::Int(4)),
            Ok(Number::Float(0.25))
        );
        assert_eq!(
            json(Number::Int(1).try_div(Number::Int(4)).unwrap()),
            "0.25"
        );
        assert_eq!(Number::Int(-9).try_div(Number::Int(3)), Ok(Number::Int(-3)));
        let min = Number::Int(i64::MIN).try_div(Number::Int(-1)).unwrap();
        assert_eq!(min, Number::Float(-(i64::MIN as f64)));
        assert_eq!(Number::Int(1).try_div(Number::Int(0)), Err(NotFinite));
        assert_eq!(Number::Float(0.0).try_div(Number::Int(0)), Err(NotFinite));
    }

    #[test]
    fn overflow_falls_back_to_float() {
        let sum = Number::Int(i64::MAX).try_add(Number::Int(1)).unwrap();
        assert_eq!(sum, Number::Float(-(i64::MIN as f64)));
        assert_eq!(json(sum), "9.223372036854776e+18");
    }

    #[test]
    fn mixed_arithmetic_uses_floats() {
        assert_eq!(
            Number::Float(0.5).try_add(Number::Int(1)),
            Ok(Number::Float(1.5))
        );
        let whole = Number::Float(2.5).try_mul(Number::Int(2)).unwrap();
        assert_eq!(json(whole), "5");
    }

    #[test]
    fn floats_are_written_like_javascript() {
        assert_eq!(json(Number::Float(15.0)), "15");
        assert_eq!(json(Number::Float(-0.0)), "0");
        assert_eq!(json(Number::Float(0.1)), "0.1");
        assert_eq!(
            json(Number::Float(9_007_199_254_740_991.0)),
            "9007199254740991"
        );
        assert_eq!(
            json(Number::Float(9_007_199_254_740_992.0)),
            "9007199254740992.0"
        );
        assert_eq!(json(Number::Float(1e300)), "1e+300");
    }

    #[test]
    fn non_finite_results_are_errors() {
        let huge = Number::Float(f64::MAX);
        assert_eq!(huge.try_mul(Number::Int(2)), Err(NotFinite));
        assert_eq!(huge.try_add(huge), Err(NotFinite));
        assert_eq!(Number::float(f64::NAN), Err(NotFinite));
        let e = ErrorObject::from(NotFinite);
        assert_eq!(
            (e.code, &*e.message),
            (NOT_FINITE, "result is not a finite number")
        );
    }
}
