//! Subscriptions: live items from the server, resumable after a reconnect.
//!
//! On the wire, as jsonrpsee and Ethereum's `eth_subscribe` have it:
//! - subscribing is a request (say `demo.ticks.subscribe`) whose result is
//!   the subscription's id, a string;
//! - each item is a notification of the subscription's notification method
//!   (`demo.ticks`) with params `{"subscription": <id>, "result": <item>}`;
//! - unsubscribing is a request (`demo.ticks.unsubscribe`) with params
//!   `[<id>]`, answered `true` (or `false` for an id that is not live).
//!
//! What jrpc adds, in members other clients ignore:
//! - every item carries `"seq"`, its number in the stream (from 1), and
//!   `"epoch"`, which names this run of the numbering ([`Head::item`]);
//! - a gap, `{"subscription", "seq", "epoch", "gap": {"missed": n | null}}`:
//!   `n` items before `seq` are lost, or (`null`) an unknown number, because
//!   the stream's history is gone (another epoch: the server restarted)
//!   ([`Head::gap`]);
//! - the end, `{"subscription", "error": null | <error object>}`: the
//!   stream completed, or failed with that error ([`Head::end`]); jsonrpsee's
//!   client closes the subscription on it too;
//! - resuming: a subscribe request may carry a member beside `params`,
//!   `"resume": {"epoch": <epoch>, "seq": <last seq received>}`
//!   ([`resume_member`]); the server then sends what the client missed (or a
//!   gap) before the live items ([`History::catch_up`]).
//!
//! Everything here is text and numbers, no IO and no clock; the drivers do
//! the rest.

mod book;
mod history;
mod queue;
mod wire;

pub use book::{Book, Delivered};
pub use history::{CatchUp, History, Retention};
pub use queue::{Next, Offered, Overflow, Queue};
pub use wire::{Event, Head, Resume, method_names, read_event, resume_member, unsubscribe_params};

#[cfg(test)]
mod tests;
