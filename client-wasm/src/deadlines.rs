//! Call timeouts: each waiting call carries its deadline, and one browser
//! timer is set for the earliest.
//!
//! A `setTimeout` per call, with the closure wasm-bindgen makes for it, cost
//! more than the rest of a request together. Now starting a call's timeout is
//! a clock read (and moves the timer only if this call is due first), and
//! ending it is nothing at all: the deadline leaves with the call. When the
//! timer fires it fails the calls that are due and sets itself for the next.

use std::cell::RefCell;
use std::rc::Weak;

use crate::client::Inner;
use crate::js::{self, Timer};

/// When a call is due (whole milliseconds of `performance.now()`, rounded
/// up), and its timeout (for the error message).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: u64,
    timeout_ms: u64,
}

/// The one timer of a client, and the time it fires at.
#[derive(Default)]
pub(crate) struct Deadlines {
    armed: Option<(u64, Timer)>,
}

impl Deadlines {
    /// The deadline of a call starting now; `None` when `timeout_ms` is not a
    /// finite, non-negative number (no timeout). Sets the timer if this call
    /// is due before every other.
    pub(crate) fn start(
        &mut self,
        timeout_ms: f64,
        client: &Weak<RefCell<Inner>>,
    ) -> Option<Deadline> {
        if !(timeout_ms.is_finite() && timeout_ms >= 0.0) {
            return None;
        }
        let at = (js::now() + timeout_ms).ceil() as u64;
        if self.armed.as_ref().is_none_or(|(fires, _)| at < *fires) {
            self.arm(at, client);
        }
        Some(Deadline {
            at,
            timeout_ms: timeout_ms as u64,
        })
    }

    /// Stops the timer (the client closed and failed every call).
    pub(crate) fn clear(&mut self) {
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
/// earliest of the others.
fn expire(client: &Weak<RefCell<Inner>>) {
    let Some(inner) = client.upgrade() else {
        return;
    };
    let (due, next) = {
        let mut inner = inner.borrow_mut();
        inner.deadlines.armed = None;
        let now = js::now();
        let mut due = Vec::new();
        let mut next: Option<u64> = None;
        for (id, waiter) in inner.outbound.waiting() {
            match waiter.deadline {
                Some(d) if d.at as f64 <= now => due.push((id, d.timeout_ms)),
                Some(d) => next = Some(next.map_or(d.at, |n| n.min(d.at))),
                None => {}
            }
        }
        (due, next)
    };
    // Not borrowed while failing calls: `time_out` borrows the client itself.
    for (id, timeout_ms) in due {
        crate::calls::time_out(client, id, timeout_ms);
    }
    let mut inner = inner.borrow_mut();
    if let (Some(at), None) = (next, &inner.deadlines.armed) {
        inner.deadlines.arm(at, client);
    }
}
