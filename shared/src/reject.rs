//! Refusing a frame that is too large to process.
//!
//! The receiver refuses the work but still settles everything the frame
//! concerns: each request in it gets the error (so its caller does not wait
//! for a timeout), and each response in it fails the local call it answers.
//! Reading it to find those costs one scan, which the driver's transport
//! limit (far above this one) bounds.

use alloc::string::String;
use alloc::vec::Vec;

use crate::parse::{Frame, Item, parse};
use crate::wire::push_error;
use crate::{Action, ErrorObject, Id};

/// Appends the actions that refuse `text` with `error`: a single request is
/// answered under its own id; a batch gets one error with id `null` (answering
/// each member would let a huge frame buy a huge reply); responses in the
/// frame fail the local calls they answer.
pub(crate) fn refuse<'a, H>(
    text: &'a str,
    error: &ErrorObject,
    max_batch: usize,
    actions: &mut Vec<Action<'a, '_, H>>,
) {
    let mut settle = |item: &Item<'a>| {
        if let Some(id) = response_id(item) {
            actions.push(Action::Settle {
                id,
                outcome: Err(error.clone()),
            });
        }
    };
    let answer = match parse(text, max_batch) {
        Frame::Error(_) => Some(Id::null()),
        Frame::Single(Item::Call { id: Some(id), .. } | Item::Invalid { id, .. }) => Some(id),
        Frame::Single(item) => {
            settle(&item);
            None
        }
        Frame::Batch(items) => {
            items.iter().for_each(&mut settle);
            items
                .iter()
                .any(|i| matches!(i, Item::Call { id: Some(_), .. } | Item::Invalid { .. }))
                .then(Id::null)
        }
    };
    if let Some(id) = answer {
        let mut out = String::with_capacity(128);
        push_error(&mut out, &id, error);
        actions.push(Action::Reply(out));
    }
}

/// The id of this side's call that `item` answers, if it is a response.
fn response_id(item: &Item<'_>) -> Option<u64> {
    match item {
        Item::Response { id, .. } => Id::from_raw(*id).and_then(|id| id.as_u64()),
        _ => None,
    }
}
