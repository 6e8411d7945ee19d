//! The original jrpc dialect (`dialect: "jrpc"`), translated at the socket's
//! edge by [`jrpc_shared::legacy`], as the server does: a wasm module of its
//! own (feature `dialect`), which the JavaScript driver fetches only for a
//! client that chooses the dialect.

use alloc::string::String;
use jrpc_shared::TEMPLATE_SEPARATOR;
use jrpc_shared::legacy::{self, ErrorNames, Incoming};
use wasm_bindgen::prelude::*;

/// With `incoming`, a frame from the server becomes the JSON-RPC 2.0 text
/// for the engine to receive; or, when the frame is answered at once (an
/// invoke that failed here), the reply to send, after a NUL (no JSON text
/// starts with one); `undefined` when there is nothing to do. Otherwise a
/// JSON-RPC 2.0 text this side is about to send becomes the dialect's
/// frames, joined by NUL (no JSON text holds one), or `undefined` when
/// there is nothing to send (`$/cancelRequest`, which the dialect lacks).
#[wasm_bindgen]
pub fn translate(text: &str, incoming: bool) -> Option<String> {
    if incoming {
        return match legacy::incoming(text) {
            Incoming::Frame(frame) => Some(frame.into_owned()),
            Incoming::Reply(reply) => {
                let mut marked = String::with_capacity(reply.len() + 1);
                marked.push(TEMPLATE_SEPARATOR);
                marked.push_str(&reply);
                Some(marked)
            }
            Incoming::Nothing => None,
        };
    }
    let mut frames: Option<String> = None;
    legacy::outgoing(text, &ErrorNames::default(), |frame| match &mut frames {
        Some(all) => {
            all.push(TEMPLATE_SEPARATOR);
            all.push_str(&frame);
        }
        None => frames = Some(frame),
    });
    frames
}
