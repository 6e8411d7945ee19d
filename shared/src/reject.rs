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

/// Refuses a frame that is over the size limit without running anything in it.
///
/// A single request is answered with `error` under its own id; a batch gets
/// one `error` with id `null` (answering each member would let a huge frame
/// buy a huge reply). Responses in the frame fail the local calls they answer.
///
/// ```
/// let too_big = jrpc_shared::ErrorObject::message_too_large(10, 5);
/// let r = jrpc_shared::reject_frame(r#"{"jsonrpc":"2.0","method":"x","id":4}"#, &too_big, 100);
/// assert!(r.reply.unwrap().contains(r#""id":4"#));
/// ```
pub fn reject_frame(text: &str, error: &ErrorObject, max_batch: usize) -> Rejection {
    let mut rejection = Rejection::default();
    let answer = |id: &Id| {
        let mut out = String::with_capacity(128);
        push_error(&mut out, id, error);
        Some(out)
    };
    match parse(text, max_batch) {
        Frame::Error(_) => rejection.reply = answer(&Id::null()),
        Frame::Single(Item::Call { id: Some(id), .. } | Item::Invalid { id, .. }) => {
            rejection.reply = answer(&id)
        }
        Frame::Single(item) => rejection.settle.extend(response_id(&item)),
        Frame::Batch(items) => {
            rejection
                .settle
                .extend(items.iter().filter_map(response_id));
            if items
                .iter()
                .any(|i| matches!(i, Item::Call { id: Some(_), .. } | Item::Invalid { .. }))
            {
                rejection.reply = answer(&Id::null());
            }
        }
    }
    rejection
}

/// The id of this side's call that `item` answers, if it is a response.
fn response_id(item: &Item<'_>) -> Option<u64> {
    match item {
        Item::Response { id, .. } => Id::from_raw(id).and_then(|id| id.as_u64()),
        _ => None,
    }
}
