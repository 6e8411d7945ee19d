//! Reading one incoming WebSocket text frame into classified message items.
//!
//! A frame is parsed once, borrowing from the text: params, results and ids
//! stay `&RawValue` slices until a handler decodes them into its own types.

use std::borrow::Cow;

use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::{ErrorObject, Id};

/// One message inside a frame (a frame holds one, or a batch of several).
#[derive(Debug)]
pub enum Item<'a> {
    /// A request (`id` is `Some`, possibly the `null` id) or a notification (`id` is `None`).
    Call {
        /// The method name.
        method: Cow<'a, str>,
        /// The params member, already checked to be an array or object.
        params: Option<&'a RawValue>,
        /// The id; `None` only when the member is absent.
        id: Option<Id>,
    },
    /// A response to a call this side made.
    Response {
        /// The id as sent back by the peer.
        id: &'a RawValue,
        /// The result, or the error object the peer answered with.
        outcome: Result<&'a RawValue, ErrorObject>,
    },
    /// Something that must be answered with an error response.
    Invalid {
        /// The request's id if it could be read, else `null`.
        id: Id,
        /// The error to answer with.
        error: ErrorObject,
    },
    /// A malformed response: there is nobody to answer, so it is dropped (and logged).
    Ignored(&'static str),
}

/// What a whole frame turned out to be.
#[derive(Debug)]
pub enum Frame<'a> {
    /// A single message.
    Single(Item<'a>),
    /// A non-empty batch.
    Batch(Vec<Item<'a>>),
    /// Invalid JSON or an empty batch: one error response with id `null`.
    Error(ErrorObject),
}

/// The members of a message object, each kept raw so that a wrong type in one
/// member still lets the others (notably the id) be read.
#[derive(Deserialize)]
struct Members<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// Maps a present member to `Some` even when its value is `null`: `"id": null`
/// is a request, only an absent id makes a notification.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Parses one frame of text, refusing batches of more than `max_batch` messages.
///
/// ```
/// use jrpc_shared::parse::{parse, Frame, Item};
/// match parse(r#"{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}"#, 100) {
///     Frame::Single(Item::Call { method, id, .. }) => {
///         assert_eq!(method, "sum");
///         assert_eq!(id.unwrap().as_json(), "1");
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(parse("[1,2,3]", 2), Frame::Error(e) if e.code == -32600));
/// ```
pub fn parse(text: &str, max_batch: usize) -> Frame<'_> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if trimmed.starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(text);
        let elements = BoundedSeq { max: max_batch }
            .deserialize(&mut de)
            .and_then(|elements| de.end().map(|()| elements));
        return match elements {
            Err(_) => Frame::Error(ErrorObject::parse_error()),
            Ok(Bounded::Over(count)) => Frame::Error(ErrorObject::new(
                crate::code::INVALID_REQUEST,
                format!(
                    "Invalid Request: a batch may hold at most {max_batch} messages, this one holds {count}"
                ),
            )),
            Ok(Bounded::Within(elements)) if elements.is_empty() => {
                Frame::Error(ErrorObject::invalid_request())
            }
            Ok(Bounded::Within(elements)) => {
                Frame::Batch(elements.into_iter().map(|e| element(e.get())).collect())
            }
        };
    }
    match serde_json::from_str::<Members<'_>>(text) {
        Ok(members) => Frame::Single(classify(members)),
        Err(e) if e.is_data() && is_valid_json(text) => Frame::Single(invalid(Id::null())),
        Err(_) => Frame::Error(ErrorObject::parse_error()),
    }
}

/// A batch's elements, or only their count once it passes the limit: a huge
/// batch is skipped through without collecting (and later answering) each element.
enum Bounded<'a> {
    Within(Vec<&'a RawValue>),
    Over(usize),
}

struct BoundedSeq {
    max: usize,
}

impl<'de> DeserializeSeed<'de> for BoundedSeq {
    type Value = Bounded<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BoundedSeq {
    type Value = Bounded<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a batch (JSON array)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element::<&RawValue>()? {
            if elements.len() == self.max {
                let mut count = elements.len() + 1;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                return Ok(Bounded::Over(count));
            }
            elements.push(element);
        }
        Ok(Bounded::Within(elements))
    }
}

/// Whether `text` is one valid JSON value (used only on the error path).
fn is_valid_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// Classifies one element of a batch (already known to be valid JSON).
fn element(text: &str) -> Item<'_> {
    if !text.starts_with('{') {
        return invalid(Id::null());
    }
    match serde_json::from_str::<Members<'_>>(text) {
        Ok(members) => classify(members),
        // Valid JSON object but unreadable members (e.g. a duplicate key).
        Err(_) => invalid(Id::null()),
    }
}

fn invalid(id: Id) -> Item<'static> {
    Item::Invalid {
        id,
        error: ErrorObject::invalid_request(),
    }
}

fn classify(m: Members<'_>) -> Item<'_> {
    if m.method.is_none() && (m.result.is_some() || m.error.is_some()) {
        return response(m);
    }
    // From here on it must be a valid request or notification.
    let id = match m.id {
        None => None,
        Some(raw) => match Id::from_raw(raw) {
            Some(id) => Some(id),
            // An id of the wrong type cannot be echoed: answer with id null.
            None => return invalid(Id::null()),
        },
    };
    let reply_id = || id.clone().unwrap_or_else(Id::null);
    let version = m.jsonrpc.and_then(string_value);
    if version.as_deref() != Some(crate::wire::VERSION) {
        return invalid(reply_id());
    }
    let Some(method) = m.method.and_then(string_value) else {
        return invalid(reply_id());
    };
    if m.result.is_some() || m.error.is_some() {
        return invalid(reply_id());
    }
    if let Some(params) = m.params {
        if !matches!(params.get().as_bytes().first(), Some(b'[' | b'{')) {
            return invalid(reply_id());
        }
    }
    Item::Call {
        method,
        params: m.params,
        id,
    }
}

/// Responses are read leniently: whatever lets a waiting call settle is accepted,
/// because the alternative is a caller waiting until its timeout.
fn response(m: Members<'_>) -> Item<'_> {
    let Some(id) = m.id else {
        return Item::Ignored("response without an id");
    };
    let error = m.error.filter(|e| e.get() != "null");
    let outcome = match (error, m.result) {
        (Some(error), _) => Err(
            serde_json::from_str::<ErrorObject>(error.get()).unwrap_or_else(|e| {
                ErrorObject::internal_error(format_args!(
                    "the peer sent a malformed error object: {e}"
                ))
                .with_data(error)
            }),
        ),
        (None, Some(result)) => Ok(result),
        (None, None) => return Item::Ignored("response with neither result nor error"),
    };
    Item::Response { id, outcome }
}

/// The value of a JSON string, borrowed when it holds no escapes.
fn string_value(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(text).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(text: &str) -> Item<'_> {
        match parse(text, 16) {
            Frame::Single(item) => item,
            other => panic!("expected a single item, got {other:?}"),
        }
    }

    fn invalid_id(item: &Item<'_>) -> Option<String> {
        match item {
            Item::Invalid { id, error } if error.code == -32600 => Some(id.as_json().to_owned()),
            _ => None,
        }
    }

    #[test]
    fn null_id_is_a_request_absent_id_a_notification() {
        match single(r#"{"jsonrpc":"2.0","method":"m","id":null}"#) {
            Item::Call { id: Some(id), .. } => assert!(id.is_null()),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","method":"m"}"#),
            Item::Call { id: None, .. }
        ));
    }

    #[test]
    fn invalid_requests_keep_a_readable_id() {
        let item = single(r#"{"jsonrpc":"1.0","method":"m","id":7}"#);
        assert_eq!(invalid_id(&item).as_deref(), Some("7"));
        let item = single(r#"{"jsonrpc":"2.0","method":"m","params":3,"id":"x"}"#);
        assert_eq!(invalid_id(&item).as_deref(), Some(r#""x""#));
    }

    #[test]
    fn wrong_id_types_answer_with_null() {
        for text in [
            r#"{"jsonrpc":"2.0","method":"m","id":true}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":{"a":1}}"#,
        ] {
            assert_eq!(invalid_id(&single(text)).as_deref(), Some("null"), "{text}");
        }
    }

    #[test]
    fn escaped_method_names_are_decoded() {
        match single(r#"{"jsonrpc":"2.0","method":"a\u0062c","id":1}"#) {
            Item::Call { method, .. } => assert_eq!(method, "abc"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_json_after_a_valid_prefix_is_a_parse_error() {
        assert!(matches!(parse("1 x", 16), Frame::Error(e) if e.code == -32700));
        assert!(matches!(parse(r#"{"jsonrpc":"2.0","#, 16), Frame::Error(e) if e.code == -32700));
        assert!(matches!(parse("", 16), Frame::Error(e) if e.code == -32700));
    }

    #[test]
    fn responses_are_recognised() {
        match single(r#"{"jsonrpc":"2.0","result":[1],"id":4}"#) {
            Item::Response { id, outcome: Ok(r) } => {
                assert_eq!(id.get(), "4");
                assert_eq!(r.get(), "[1]");
            }
            other => panic!("{other:?}"),
        }
        match single(r#"{"jsonrpc":"2.0","error":{"code":5,"message":"no"},"id":4}"#) {
            Item::Response {
                outcome: Err(e), ..
            } => assert_eq!(e.code, 5),
            other => panic!("{other:?}"),
        }
        match single(r#"{"jsonrpc":"2.0","error":{"code":"bad"},"id":4}"#) {
            Item::Response {
                outcome: Err(e), ..
            } => assert_eq!(e.code, -32603),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","result":1}"#),
            Item::Ignored(_)
        ));
    }
}
