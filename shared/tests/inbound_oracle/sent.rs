//! What the engine sends, read back.

use super::*;

/// A response's result (exact text) or error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Body {
    Result(String),
    Error {
        code: i64,
        message: String,
        data: Option<String>,
    },
}

/// One response: its id's exact text and its body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resp {
    pub id: String,
    pub body: Body,
}

/// One text sent: a response, or a batch reply (its responses sorted, since
/// a batch reply may list them in any order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    One(Resp),
    Batch(Vec<Resp>),
}

pub(super) fn error(code: i64, message: impl Into<String>) -> Body {
    Body::Error {
        code,
        message: message.into(),
        data: None,
    }
}

pub(super) fn resp(id: &str, body: Body) -> Resp {
    Resp {
        id: id.to_owned(),
        body,
    }
}

/// A text the engine sent, which must be a response or a non-empty array of them.
pub fn read_sent(text: &str) -> Sent {
    assert!(
        serde_accepts(text),
        "the engine sent invalid JSON: {text:?}"
    );
    if !text.starts_with('[') {
        return Sent::One(read_resp(text));
    }
    let mut answers: Vec<Resp> = array(text).unwrap().into_iter().map(read_resp).collect();
    assert!(!answers.is_empty(), "the engine sent an empty batch reply");
    answers.sort();
    Sent::Batch(answers)
}

pub(super) fn read_resp(raw: &str) -> Resp {
    let members =
        object(raw).unwrap_or_else(|| panic!("the engine sent a non-object response: {raw}"));
    let (mut jsonrpc, mut id, mut result, mut err) = (None, None, None, None);
    for (name, value) in members {
        let slot = match name.as_deref() {
            Some("jsonrpc") => &mut jsonrpc,
            Some("id") => &mut id,
            Some("result") => &mut result,
            Some("error") => &mut err,
            _ => panic!("member {name:?} in the response {raw}"),
        };
        assert!(slot.replace(value).is_none(), "a member twice in {raw}");
    }
    assert_eq!(jsonrpc, Some(r#""2.0""#), "jsonrpc of {raw}");
    let id = id.unwrap_or_else(|| panic!("no id in the response {raw}"));
    assert!(is_id(id), "the id of {raw}");
    let body = match (result, err) {
        (Some(result), None) => Body::Result(result.to_owned()),
        (None, Some(err)) => read_error(err),
        _ => panic!("a response needs a result xor an error: {raw}"),
    };
    resp(id, body)
}

pub(super) fn read_error(raw: &str) -> Body {
    let members = object(raw).unwrap_or_else(|| panic!("an error that is not an object: {raw}"));
    let (mut code, mut message, mut data) = (None, None, None);
    for (name, value) in members {
        let slot = match name.as_deref() {
            Some("code") => &mut code,
            Some("message") => &mut message,
            Some("data") => &mut data,
            _ => panic!("member {name:?} in the error object {raw}"),
        };
        assert!(slot.replace(value).is_none(), "a member twice in {raw}");
    }
    Body::Error {
        code: code
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_else(|| panic!("no integer code in {raw}")),
        message: message
            .and_then(string)
            .unwrap_or_else(|| panic!("no string message in {raw}")),
        data: data.map(str::to_owned),
    }
}
