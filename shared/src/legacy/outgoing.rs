//! JSON-RPC 2.0 text from this side, as legacy frames for the peer.

use alloc::string::String;

use crate::members::{Members, TYPE};
use crate::parse::{Frame, Item, parse};
use crate::wire::push_str_literal;
use crate::{CANCEL_METHOD, ErrorObject, Raw};

use super::ErrorNames;

/// Translates a text this side is about to send (a request, a notification,
/// a response, or a batch of them) into legacy frames, one `emit` each: the
/// dialect has no batches. Errors are shown by the type names of `names`. `$/cancelRequest` is dropped (the dialect cannot
/// cancel), and so is anything that is not a JSON-RPC message.
///
/// ```
/// let mut frames = Vec::new();
/// let text = r#"[{"jsonrpc":"2.0","method":"show","params":["hi"],"id":1},
///               {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":0}]"#;
/// let names = jrpc_shared::legacy::ErrorNames::default();
/// jrpc_shared::legacy::outgoing(text, &names, |frame| frames.push(frame));
/// assert_eq!(frames, [
///     r#"{"method":"show","args":["hi"],"kwargs":{},"id":1}"#,
///     r#"{"id":0,"result":"Method not found","error":"KeyError"}"#,
/// ]);
/// ```
pub fn outgoing(text: &str, names: &ErrorNames, mut emit: impl FnMut(String)) {
    match parse(text, usize::MAX) {
        Frame::Single(item) => emit_item(item, names, &mut emit),
        Frame::Batch(items) => {
            for item in items {
                emit_item(item, names, &mut emit);
            }
        }
        Frame::Error(_) => debug!("not sent to a legacy peer: not JSON"),
    }
}

fn emit_item(item: Item<'_>, names: &ErrorNames, emit: &mut impl FnMut(String)) {
    match item {
        Item::Call { method, .. } if method == CANCEL_METHOD => {}
        Item::Call {
            method, params, id, ..
        } => {
            #[cfg(feature = "mixed-params")]
            let mixed = params.and_then(|p| super::split_mixed(p.get()));
            // Named params are kwargs as they are.
            #[cfg(not(feature = "mixed-params"))]
            let mixed: Option<(String, String)> = None;
            let (args, kwargs) = match (&mixed, params.map(Raw::get)) {
                (Some((args, kwargs)), _) => (args.as_str(), kwargs.as_str()),
                (None, Some(p)) if p.starts_with('{') => ("[]", p),
                (None, Some(p)) => (p, "{}"),
                (None, None) => ("[]", "{}"),
            };
            let mut out = String::with_capacity(40 + method.len() + args.len() + kwargs.len());
            out.push_str(r#"{"method":"#);
            push_str_literal(&mut out, &method);
            out.push_str(r#","args":"#);
            out.push_str(args);
            out.push_str(r#","kwargs":"#);
            out.push_str(kwargs);
            // No id: an invoke, which the peer does not answer.
            if let Some(id) = id {
                out.push_str(r#","id":"#);
                out.push_str(id.as_json());
            }
            out.push('}');
            emit(out);
        }
        Item::Response { id, outcome } => {
            let mut out = String::from(r#"{"id":"#);
            out.push_str(id.get());
            out.push_str(r#","result":"#);
            match outcome {
                Ok(result) => {
                    out.push_str(result.get());
                    out.push_str(r#","error":null}"#);
                }
                Err(error) => {
                    push_str_literal(&mut out, &error.message);
                    out.push_str(r#","error":"#);
                    match data_type(&error) {
                        Some(kind) => out.push_str(kind),
                        None => push_str_literal(&mut out, names.name(error.code)),
                    }
                    out.push('}');
                }
            }
            emit(out);
        }
        Item::Invalid { .. } | Item::Ignored(_) => debug!("not sent to a legacy peer: invalid"),
    }
}

/// The error's `data.type` when it is a string: the type name it carries.
fn data_type(error: &ErrorObject) -> Option<&str> {
    Members::of(error.data_json()?)?
        .get(TYPE)
        .filter(|kind| kind.starts_with('"'))
}
