//! How a connection's JSON-RPC messages are packed into frames: JSON text,
//! or msgpack in binary frames (wsjsonrpc's msgpack codec).
//!
//! The engine reads and writes JSON text only; a msgpack connection's frames
//! are converted at the socket's edge, both ways. Only what JSON can hold is
//! taken: msgpack's binary and extension types, maps with keys that are not
//! strings, NaN and the infinities are refused with a clear error.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// How messages are packed into WebSocket frames.
///
/// A server answers in whatever its client sends: a connection whose first
/// binary frame is msgpack is a msgpack connection from then on (replies,
/// and the server's own calls, in binary frames), as wsjsonrpc's codec
/// expects with no subprotocol negotiated. A client chooses with
/// [`ClientBuilder::codec`](crate::ClientBuilder::codec).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Codec {
    /// JSON in text frames (the default).
    #[default]
    Json,
    /// msgpack in binary frames.
    Msgpack,
}

/// Why a binary frame could not be read as a JSON-RPC message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unpacked {
    /// The frame is no msgpack at all.
    NotMsgpack,
    /// msgpack, but holding something JSON cannot (said how).
    NotJson(String),
}

/// The depth of nesting unpacked; deeper input is refused rather than
/// recursed into (the engine allows less anyway).
const MAX_DEPTH: usize = 128;

/// One msgpack value as JSON text.
///
pub(crate) fn msgpack_to_json(bytes: &[u8]) -> Result<String, Unpacked> {
    use rmp_serde::decode::Error;
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut de = rmp_serde::Deserializer::new(std::io::Cursor::new(bytes));
    de.set_max_depth(MAX_DEPTH);
    match (Json { out: &mut out }).deserialize(&mut de) {
        Ok(()) if de.get_ref().position() == bytes.len() as u64 => Ok(out),
        // Valid msgpack, then more: not one message.
        Ok(()) => Err(Unpacked::NotMsgpack),
        // The visitor's refusals, and serde's for a key that is no string.
        Err(Error::Syntax(why)) => Err(Unpacked::NotJson(why)),
        Err(Error::Utf8Error(_)) => Err(Unpacked::NotJson("a string is not UTF-8".into())),
        Err(Error::DepthLimitExceeded) => Err(Unpacked::NotJson("nested too deeply".into())),
        Err(_) => Err(Unpacked::NotMsgpack),
    }
}

/// Whether `bytes` start as a msgpack map or array, the shapes of a
/// JSON-RPC message (or batch): only such a frame makes a connection a
/// msgpack one.
pub(crate) fn looks_like_message(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(0x80..=0x9f | 0xdc..=0xdf))
}

/// JSON text (this side's own, so valid) as msgpack. Integers beyond 64
/// bits go as floats (`serde_json::Value` holds them so); `None` only for a
/// number that `f64` cannot hold either, which a driver then sends as text.
pub(crate) fn json_to_msgpack(text: &str) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    rmp_serde::to_vec(&value).ok()
}

/// Writes the value it is fed as JSON text.
struct Json<'a> {
    out: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for Json<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Json<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value JSON can hold")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => {
                self.out.push_str(&n.to_string());
                Ok(())
            }
            None => Err(E::custom("NaN and the infinities have no JSON form")),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        // Encoding a &str as JSON cannot fail.
        self.out
            .push_str(&serde_json::to_string(v).unwrap_or_default());
        Ok(())
    }

    fn visit_bytes<E: de::Error>(self, _v: &[u8]) -> Result<(), E> {
        Err(E::custom("msgpack binary data has no JSON form"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, _d: D) -> Result<(), D::Error> {
        // How rmp_serde hands over an extension type.
        Err(de::Error::custom(
            "msgpack extension types have no JSON form",
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push('[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(',');
            }
            if seq.next_element_seed(Json { out: self.out })?.is_none() {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push('{');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(',');
            }
            if map.next_key_seed(Key { out: self.out })?.is_none() {
                self.out.truncate(mark);
                break;
            }
            self.out.push(':');
            map.next_value_seed(Json { out: self.out })?;
            first = false;
        }
        self.out.push('}');
        Ok(())
    }
}

/// A map key, which JSON allows to be a string only.
struct Key<'a> {
    out: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string map key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        Json { out: self.out }.visit_str(v)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unpack(value: &impl serde::Serialize) -> Result<String, Unpacked> {
        msgpack_to_json(&rmp_serde::to_vec(value).unwrap())
    }

    #[test]
    fn json_values_round_trip() {
        let value = json!({"jsonrpc": "2.0", "method": "a\"b", "params": [1, -2, 2.5, null, true, {}], "id": 7});
        let packed = json_to_msgpack(&value.to_string()).unwrap();
        let text = msgpack_to_json(&packed).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }

    #[test]
    fn what_json_cannot_hold_is_refused_with_the_reason() {
        assert_eq!(
            msgpack_to_json(&[0xc4, 2, 1, 2]),
            Err(Unpacked::NotJson(
                "msgpack binary data has no JSON form".into()
            ))
        );
        assert!(matches!(unpack(&f64::NAN), Err(Unpacked::NotJson(_))));
        let mut int_keys = std::collections::BTreeMap::new();
        int_keys.insert(1, 2);
        assert!(matches!(unpack(&int_keys), Err(Unpacked::NotJson(_))));
        // fixext 1: type 5, one byte.
        assert!(matches!(
            msgpack_to_json(&[0xd4, 5, 0]),
            Err(Unpacked::NotJson(_))
        ));
    }

    #[test]
    fn garbage_and_trailing_bytes_are_no_msgpack() {
        assert_eq!(msgpack_to_json(&[0xc1]), Err(Unpacked::NotMsgpack));
        assert_eq!(msgpack_to_json(&[0x92, 1]), Err(Unpacked::NotMsgpack));
        assert_eq!(msgpack_to_json(&[1, 2]), Err(Unpacked::NotMsgpack));
        assert_eq!(msgpack_to_json(&[]), Err(Unpacked::NotMsgpack));
    }

    /// Bytes a peer controls never panic the conversion, and whatever it
    /// accepts is JSON that serde_json reads back (a bounded, seeded loop).
    #[test]
    fn arbitrary_bytes_give_json_or_a_refusal() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            // Mostly small markers (fix types), so that some inputs are msgpack.
            let bytes: Vec<u8> = (0..len)
                .map(|_| match next() % 4 {
                    0 => 0x90 | (next() % 4) as u8,
                    1 => 0x80 | (next() % 3) as u8,
                    2 => 0xa0 | (next() % 4) as u8,
                    _ => next() as u8,
                })
                .collect();
            if let Ok(text) = msgpack_to_json(&bytes) {
                accepted += 1;
                let value: Result<serde_json::Value, _> = serde_json::from_str(&text);
                assert!(value.is_ok(), "{bytes:?} gave {text:?}");
            }
        }
        assert!(
            accepted > 100,
            "only {accepted} inputs were msgpack: the test says little"
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_deeper() {
        let mut bytes = vec![0x91; 100_000];
        bytes.push(0xc0);
        assert_eq!(
            msgpack_to_json(&bytes),
            Err(Unpacked::NotJson("nested too deeply".into()))
        );
    }
}
