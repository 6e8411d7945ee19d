//! Call timeouts: every waiting call's deadline in one ordered table, behind a
//! single browser timer set for the earliest.
//!
//! A `setTimeout` per call, with the closure wasm-bindgen makes for it, cost
//! more than the rest of a request together; with one timer, starting and
//! ending a call's timeout is an insert and a removal in a `BTreeMap`, and the
//! timer is only moved when a call is due sooner than every other.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Weak;

use jrpc_shared::Outbound;

use crate::client::Inner;
use crate::js::{self, Timer};
use crate::waiter::Waiter;

/// A call's place in the table: when it is due (whole milliseconds of
/// `performance.now()`, rounded up) and its id.
pub(crate) type Due = (u64, u64);

#[derive(Default)]
pub(crate) struct Deadlines {
    /// Due calls, earliest first, with their timeouts (for the error message).
    due: BTreeMap<Due, u64>,
    /// The browser timer and the time it fires at.
    armed: Option<(u64, Timer)>,
}

impl Deadlines {
    /// Starts the timeout of call `id`; returns its place, for [`Deadlines::remove`].
    /// `None` when `timeout_ms` is not a finite, non-negative number (no timeout).
    pub(crate) fn add(
        &mut self,
        id: u64,
        timeout_ms: f64,
        client: &Weak<RefCell<Inner>>,
    ) -> Option<Due> {
        if !(timeout_ms.is_finite() && timeout_ms >= 0.0) {
            return None;
        }
        let at = (js::now() + timeout_ms).ceil() as u64;
        let place = (at, id);
        self.due.insert(place, timeout_ms as u64);
        if self.armed.as_ref().is_none_or(|(fires, _)| at < *fires) {
            self.arm(at, client);
        }
        Some(place)
    }

    /// Ends the timeout of a call that settled some other way.
    pub(crate) fn remove(&mut self, place: Due) {
        // The timer stays: if it was set for this call it fires, finds
        // nothing due and moves on to the next.
        self.due.remove(&place);
    }

    /// Takes the waiter of call `id` (its answer came) and ends its timeout.
    pub(crate) fn take_waiter(
        &mut self,
        outbound: &mut Outbound<Waiter>,
        id: u64,
    ) -> Option<Waiter> {
        let waiter = outbound.take(id)?;
        if let Some(place) = waiter.deadline {
            self.remove(place);
        }
        Some(waiter)
    }

    /// Forgets every timeout (the client closed and failed every call).
    pub(crate) fn clear(&mut self) {
        self.due.clear();
        self.armed = None;
    }

    fn arm(&mut self, at: u64, client: &Weak<RefCell<Inner>>) {
        let delay = (at as f64 - js::now()).max(0.0);
        let client = client.clone();
        let timer = Timer::new(delay, move || expire(&client));
        self.armed = Some((at, timer));
    }
}

/// The timer fired: fails every call that is due, then sets the timer for the
/// next one.
fn expire(client: &Weak<RefCell<Inner>>) {
    let Some(inner) = client.upgrade() else {
        return;
    };
    let due: Vec<(u64, u64)> = {
        let mut inner = inner.borrow_mut();
        let deadlines = &mut inner.deadlines;
        deadlines.armed = None;
        let now = js::now();
        let mut due = Vec::new();
        while let Some(entry) = deadlines.due.first_entry() {
            let (at, id) = *entry.key();
            if at as f64 > now {
                break;
            }
            due.push((id, entry.remove()));
        }
        due
    };
    // Not borrowed while failing calls: a rejection's handlers run later, but
    // `give_up` borrows the client itself.
    for (id, timeout_ms) in due {
        crate::calls::time_out(client, id, timeout_ms);
    }
    let mut inner = inner.borrow_mut();
    let next = inner.deadlines.due.keys().next().map(|(at, _)| *at);
    if let (Some(at), None) = (next, &inner.deadlines.armed) {
        inner.deadlines.arm(at, client);
    }
}
