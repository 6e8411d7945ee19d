//! The names of a handler's params, read from its serde type.
//!
//! A struct's derived `Deserialize` hands its field names to the
//! deserializer; this one keeps them and stops. Params that mix positional
//! and named arguments (`{"0": 6, "b": 7}`, see
//! [`crate::legacy::mixed_params`]) need them to be decoded.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The field names of `P` when it deserializes as a struct, in order; `None`
/// for tuples, sequences, maps and everything else.
///
/// serde lists a field's `#[serde(alias = "..")]` names among the fields, so
/// for a struct with aliases the positions are off: give such a method its
/// arguments all by position or all by name.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Operands { a: f64, b: f64 }
/// assert_eq!(jrpc_shared::param_names::<Operands>(), Some(&["a", "b"][..]));
/// assert_eq!(jrpc_shared::param_names::<(f64, f64)>(), None);
/// ```
pub fn param_names<'de, P: Deserialize<'de>>() -> Option<&'static [&'static str]> {
    let mut names = None;
    // Always an error: the point is what the struct said on the way.
    let _ = P::deserialize(Names(&mut names));
    names
}

struct Names<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for Names<'_> {
    type Error = de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("only the names were wanted"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
