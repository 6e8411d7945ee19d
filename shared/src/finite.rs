//! JSON encoding that refuses non-finite floats.
//!
//! JSON has no literal for NaN, `Infinity` or `-Infinity`. `serde_json` quietly writes
//! such a float as `null`, which would silently change the meaning of a result or
//! params value that a peer receives. This library must never emit them, so every
//! outbound value goes through the functions here: they serialise exactly as
//! `serde_json` does, except that a non-finite `f32`/`f64` anywhere in the value is an
//! error instead.
//!
//! The check is a forwarding [`Serializer`] wrapper (`Finite`) that re-wraps every
//! nested value (`FiniteValue`), so it reaches arbitrarily deep without first building
//! a `serde_json::Value`. Struct names and field names are forwarded untouched, which is
//! what keeps `serde_json`'s private [`RawValue`] protocol (a struct with a magic name)
//! working: raw JSON embedded in a value is still written verbatim.

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use serde_json::value::RawValue;
use std::fmt::Display;
use std::io;

/// Serialises `value` to a boxed RawValue; errors if it contains NaN or ±Infinity.
pub fn to_raw_value<T: Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, serde_json::Error> {
    // serde_json's own to_raw_value trusts its serializer's output, so no re-parse.
    serde_json::value::to_raw_value(&FiniteValue(value))
}

/// Serialises `value` as JSON text into `out`; errors (leaving `out` possibly
/// partly written—callers truncate) on NaN/±Infinity.
pub fn write_json<W: io::Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
) -> Result<(), serde_json::Error> {
    let mut ser = serde_json::Serializer::new(out);
    value.serialize(Finite(&mut ser))
}

/// Serialises `value` as JSON text appended to `out`, which is left as it was
/// when this fails (NaN/±Infinity).
pub fn append_json<T: Serialize + ?Sized>(
    out: &mut String,
    value: &T,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    let written = write_json(StrWriter(out), value);
    if written.is_err() {
        // Only whole `str`s were appended after `start`: a char boundary.
        out.truncate(start);
    }
    written
}

/// `io::Write` into a `String`, for serde_json's serializer. It writes whole
/// UTF-8 pieces (punctuation, digits, slices of a `str` between escapes), so
/// each piece is checked as it comes (cheap: they are short), which spares a
/// second pass over the whole text; a piece that is not UTF-8 fails the
/// encoding rather than the text.
struct StrWriter<'a>(&'a mut String);

impl io::Write for StrWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let piece = std::str::from_utf8(buf).map_err(io::Error::other)?;
        self.0.push_str(piece);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serializer wrapper that forwards everything to `S` but rejects non-finite floats.
///
/// Also used for the compound states (`S::SerializeSeq`, …) so that every element,
/// key, value and field is checked too.
struct Finite<S>(S);

/// A value whose serialisation goes through [`Finite`], whatever serializer it is given.
struct FiniteValue<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for FiniteValue<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Finite(serializer))
    }
}

/// The error for a non-finite float. Named rather than formatted with `{}`:
/// float formatting code is large, and the browser build avoids it.
fn non_finite<E: serde::ser::Error>(v: f64) -> E {
    let got = if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    };
    E::custom(format_args!(
        "cannot encode NaN or Infinity as JSON: got {got}"
    ))
}

/// Forwards scalar methods unchanged.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.0.$method($($arg),*)
        }
    )*};
}

/// Starts a compound value, wrapping its state so its contents are checked too.
macro_rules! start {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $assoc:ident;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<Self::$assoc, S::Error> {
            self.0.$method($($arg),*).map(Finite)
        }
    )*};
}

impl<S: Serializer> Serializer for Finite<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Finite<S::SerializeSeq>;
    type SerializeTuple = Finite<S::SerializeTuple>;
    type SerializeTupleStruct = Finite<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Finite<S::SerializeTupleVariant>;
    type SerializeMap = Finite<S::SerializeMap>;
    type SerializeStruct = Finite<S::SerializeStruct>;
    type SerializeStructVariant = Finite<S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        if !v.is_finite() {
            return Err(non_finite(f64::from(v)));
        }
        self.0.serialize_f32(v)
    }

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        if !v.is_finite() {
            return Err(non_finite(v));
        }
        self.0.serialize_f64(v)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&FiniteValue(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &FiniteValue(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &FiniteValue(value))
    }

    // Names are forwarded as-is: RawValue relies on its magic struct name reaching
    // serde_json, which then writes the raw text verbatim.
    start! {
        serialize_seq(len: Option<usize>) -> SerializeSeq;
        serialize_tuple(len: usize) -> SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> SerializeStruct;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
            -> SerializeStructVariant;
    }

    // Display output is a string, never a float, and serde_json writes it without an
    // intermediate allocation.
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.collect_str(value)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Implements a compound-state trait whose element method takes `(extra args, value)`.
macro_rules! compound {
    ($trait:ident, $method:ident($($arg:ident: $ty:ty),*) $(, $skip:ident)?) => {
        impl<S: $trait> $trait for Finite<S> {
            type Ok = S::Ok;
            type Error = S::Error;

            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($arg: $ty,)*
                value: &T,
            ) -> Result<(), S::Error> {
                self.0.$method($($arg,)* &FiniteValue(value))
            }

            $(fn $skip(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.0.$skip(key)
            })?

            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        }
    };
}

compound!(SerializeSeq, serialize_element());
compound!(SerializeTuple, serialize_element());
compound!(SerializeTupleStruct, serialize_field());
compound!(SerializeTupleVariant, serialize_field());
compound!(SerializeStruct, serialize_field(key: &'static str), skip_field);
compound!(SerializeStructVariant, serialize_field(key: &'static str), skip_field);

impl<S: SerializeMap> SerializeMap for Finite<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    // Keys are checked too: serde_json accepts float map keys (written as strings).
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        self.0.serialize_key(&FiniteValue(key))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        self.0.serialize_value(&FiniteValue(value))
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), S::Error> {
        self.0
            .serialize_entry(&FiniteValue(key), &FiniteValue(value))
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    enum E {
        Unit,
        New(f64),
        Tup(f32, i8),
        Struct { x: f64, y: Option<f64> },
    }

    #[derive(Serialize)]
    struct Newtype(f64);

    #[derive(Serialize)]
    struct TupleStruct(f64, u128);

    #[derive(Serialize)]
    struct Outer {
        name: String,
        flag: bool,
        small: f32,
        big: i128,
        opt: Option<f64>,
        none: Option<f64>,
        list: Vec<f64>,
        map: BTreeMap<String, Vec<f64>>,
        enums: Vec<E>,
        newtype: Newtype,
        tuple: (f64, char, ()),
        tuple_struct: TupleStruct,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
    }

    fn outer(poison: f64) -> Outer {
        let mut map = BTreeMap::new();
        map.insert("a".to_owned(), vec![1.5, -0.0, 1e300]);
        map.insert("b".to_owned(), vec![2.0, poison]);
        Outer {
            name: "x\"y\u{1F600}".to_owned(),
            flag: true,
            small: 0.1,
            big: -170_141_183_460_469_231_731_687_303_715_884_105_728,
            opt: Some(3.25),
            none: None,
            list: vec![f64::MIN_POSITIVE, f64::MAX],
            map,
            enums: vec![
                E::Unit,
                E::New(1.0),
                E::Tup(2.5, -1),
                E::Struct {
                    x: 4.0,
                    y: Some(5.0),
                },
            ],
            newtype: Newtype(6.0),
            tuple: (7.0, 'c', ()),
            tuple_struct: TupleStruct(8.0, u128::MAX),
            skipped: None,
        }
    }

    fn assert_rejected<T: Serialize + ?Sized>(value: &T) {
        let mut out = Vec::new();
        let err = write_json(&mut out, value).unwrap_err().to_string();
        assert!(err.contains("NaN") && err.contains("Infinity"), "{err}");
        let err = to_raw_value(value).unwrap_err().to_string();
        assert!(err.contains("NaN") && err.contains("Infinity"), "{err}");
        let mut text = "kept".to_owned();
        assert!(append_json(&mut text, value).is_err());
        assert_eq!(text, "kept", "a failed encoding leaves the text as it was");
    }

    #[test]
    fn finite_values_match_serde_json() {
        let value = outer(9.0);
        let expected = serde_json::to_string(&value).unwrap();
        let mut out = b"prefix".to_vec();
        write_json(&mut out, &value).unwrap();
        assert_eq!(out, [b"prefix".as_slice(), expected.as_bytes()].concat());
        assert_eq!(to_raw_value(&value).unwrap().get(), expected);
        let mut text = "é".to_owned();
        append_json(&mut text, &value).unwrap();
        assert_eq!(text, format!("é{expected}"));
        // Unsized input works too.
        let slice: &[f64] = &[1.0, 2.5];
        assert_eq!(to_raw_value(slice).unwrap().get(), "[1.0,2.5]");
        assert_eq!(to_raw_value("s").unwrap().get(), "\"s\"");
    }

    #[test]
    fn non_finite_at_top_level_is_rejected() {
        assert_rejected(&f64::NAN);
        assert_rejected(&f64::INFINITY);
        assert_rejected(&f64::NEG_INFINITY);
        assert_rejected(&f32::NAN);
        assert_rejected(&f32::INFINITY);
        assert_rejected(&f32::NEG_INFINITY);
    }

    #[test]
    fn non_finite_nested_is_rejected() {
        // Deep inside a Vec inside a map inside a struct.
        assert_rejected(&outer(f64::NAN));
        assert_rejected(&outer(f64::INFINITY));
        assert_rejected(&outer(f64::NEG_INFINITY));
        assert_rejected(&Some(vec![Some(f32::NAN)]));
        assert_rejected(&E::New(f64::NAN));
        assert_rejected(&E::Tup(f32::INFINITY, 0));
        assert_rejected(&E::Struct {
            x: 0.0,
            y: Some(f64::NAN),
        });
        assert_rejected(&Newtype(f64::NAN));
        assert_rejected(&TupleStruct(f64::NEG_INFINITY, 0));
        assert_rejected(&(1, f64::NAN));
        // Map keys as well as values (serde_json would write a finite float key as a string).
        struct FloatKeys(f64);
        impl Serialize for FloatKeys {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map([(1.0, 2.0), (self.0, 3.0)])
            }
        }
        assert_eq!(
            to_raw_value(&FloatKeys(0.5)).unwrap().get(),
            r#"{"1.0":2.0,"0.5":3.0}"#
        );
        assert_rejected(&FloatKeys(f64::NAN));
        assert_rejected(&BTreeMap::from([("k", vec![f64::INFINITY])]));
    }

    #[test]
    fn raw_value_is_passed_through_verbatim() {
        #[derive(Serialize)]
        struct WithRaw<'a> {
            boxed: Box<RawValue>,
            borrowed: &'a RawValue,
            nested: Vec<Option<Box<RawValue>>>,
            after: f64,
        }
        let borrowed = RawValue::from_string("12345678901234567890123".to_owned()).unwrap();
        let value = WithRaw {
            boxed: RawValue::from_string("1e400".to_owned()).unwrap(),
            borrowed: &borrowed,
            nested: vec![Some(
                RawValue::from_string("{\"k\" : [ 1 ]}".to_owned()).unwrap(),
            )],
            after: 1.0,
        };
        let expected = concat!(
            r#"{"boxed":1e400,"borrowed":12345678901234567890123,"#,
            r#""nested":[{"k" : [ 1 ]}],"after":1.0}"#
        );
        let mut out = Vec::new();
        write_json(&mut out, &value).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert_eq!(to_raw_value(&value).unwrap().get(), expected);
        let mut text = "é".to_owned();
        append_json(&mut text, &value).unwrap();
        assert_eq!(text, format!("é{expected}"));
        // A RawValue on its own stays raw as well.
        assert_eq!(to_raw_value(&value.boxed).unwrap().get(), "1e400");
    }
}
