//! Answering a frame that is too large to process.
//!
//! The receiver refuses the work but still settles everything the frame
//! concerns: each request in it gets the error (so its caller does not wait
//! for a timeout), and each response in it fails the local call it answers.

use crate::parse::{Frame, Item, parse};
use crate::wire::push_error;
use crate::{ErrorObject, Id};

/// What to do about a refused frame.
#[derive(Debug, Default)]
pub struct Rejection {
    /// The text to send back, if the frame held any request (or could not be read).
    pub reply: Option<String>,
    /// Ids of this side's calls that the frame answered: fail them with the error.
    pub settle: Vec<u64>,
}

/// Answers every request in `text` with `error` instead of running it.
///
/// ```
/// let too_big = jrpc_shared::ErrorObject::message_too_large(10, 5);
/// let r = jrpc_shared::reject_frame(r#"{"jsonrpc":"2.0","method":"x","id":4}"#, &too_big);
/// assert!(r.reply.unwrap().contains(r#""id":4"#));
/// ```
pub fn reject_frame(text: &str, error: &ErrorObject) -> Rejection {
    let mut rejection = Rejection::default();
    let mut out = String::new();
    match parse(text) {
        Frame::Error(_) => push_error(&mut out, &Id::null(), error),
        Frame::Single(item) => reject_item(item, error, &mut out, &mut rejection.settle),
        Frame::Batch(items) => {
            for item in items {
                let before = out.len();
                out.push(if before == 0 { '[' } else { ',' });
                reject_item(item, error, &mut out, &mut rejection.settle);
                if out.len() == before + 1 {
                    out.truncate(before);
                }
            }
            if !out.is_empty() {
                out.push(']');
            }
        }
    }
    rejection.reply = (!out.is_empty()).then_some(out);
    rejection
}

fn reject_item(item: Item<'_>, error: &ErrorObject, out: &mut String, settle: &mut Vec<u64>) {
    match item {
        Item::Call { id: Some(id), .. } | Item::Invalid { id, .. } => push_error(out, &id, error),
        Item::Response { id, .. } => settle.extend(Id::from_raw(id).and_then(|id| id.as_u64())),
        Item::Call { id: None, .. } | Item::Ignored(_) => {}
    }
}
