//! Call timeouts: each waiting call carries its deadline, and one timer is set
//! for the earliest.
//!
//! A `setTimeout` per call, with the closure wasm-bindgen makes for it, cost
//! more than the rest of a request together. Now starting a call's timeout is
//! a clock read (and moves the timer only if this call is due first), and
//! ending it is nothing at all: the deadline leaves with the call.
//!
//! Pure book-keeping: no clock, no timer, no client. The owner reads the
//! clock, sets the one browser timer where this says, and fails the calls
//! [`Deadlines::due`] returns.

/// When a call is due (whole milliseconds of `performance.now()`, rounded
/// up), and its timeout (for the error message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    at: u64,
    timeout_ms: u64,
}

/// When the one timer of a client fires, if it is set.
#[derive(Default, Debug)]
pub(crate) struct Deadlines {
    fires_at: Option<u64>,
}

impl Deadlines {
    /// The deadline of a call of `timeout_ms` starting at `now`, or `None`
    /// when `timeout_ms` is not a finite, non-negative number (no timeout).
    /// The second value is `Some(at)` when the timer must be set (again) to
    /// fire at `at`: this call is due before every other.
    pub(crate) fn start(&mut self, now: f64, timeout_ms: f64) -> Option<(Deadline, Option<u64>)> {
        if !(timeout_ms.is_finite() && timeout_ms >= 0.0) {
            return None;
        }
        let at = (now + timeout_ms).ceil() as u64;
        let rearm = self.fires_at.is_none_or(|fires| at < fires);
        if rearm {
            self.fires_at = Some(at);
        }
        let deadline = Deadline {
            at,
            timeout_ms: timeout_ms as u64,
        };
        Some((deadline, rearm.then_some(at)))
    }

    /// The timer fired at `now`: the calls among `waiting` that are due, as
    /// `(id, timeout_ms)`, and when the timer must fire next (the earliest of
    /// the others), if any of them has a deadline.
    pub(crate) fn due(
        &mut self,
        now: f64,
        waiting: impl IntoIterator<Item = (u64, Option<Deadline>)>,
    ) -> (Vec<(u64, u64)>, Option<u64>) {
        let mut due = Vec::new();
        let mut next: Option<u64> = None;
        for (id, deadline) in waiting {
            match deadline {
                Some(d) if d.at as f64 <= now => due.push((id, d.timeout_ms)),
                Some(d) => next = Some(next.map_or(d.at, |n| n.min(d.at))),
                None => {}
            }
        }
        self.fires_at = next;
        (due, next)
    }

    /// Forgets the timer (every call ended at once).
    pub(crate) fn clear(&mut self) {
        self.fires_at = None;
    }
}

/// How long from `now` until `at`, for `setTimeout`.
pub(crate) fn delay_until(at: u64, now: f64) -> f64 {
    (at as f64 - now).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_moves_only_for_an_earlier_call() {
        let mut d = Deadlines::default();
        let (first, rearm) = d.start(10.2, 100.0).unwrap();
        assert_eq!(
            first,
            Deadline {
                at: 111,
                timeout_ms: 100
            }
        );
        assert_eq!(rearm, Some(111));
        // Due later: the timer stays.
        assert_eq!(d.start(20.0, 500.0).unwrap().1, None);
        // Due earlier: the timer moves.
        assert_eq!(d.start(20.0, 50.0).unwrap().1, Some(70));
        assert!(d.start(0.0, f64::INFINITY).is_none());
        assert!(d.start(0.0, f64::NAN).is_none());
        assert!(d.start(0.0, -1.0).is_none());
    }

    #[test]
    fn due_returns_the_expired_calls_and_the_next_deadline() {
        let mut d = Deadlines::default();
        let a = d.start(0.0, 100.0).unwrap().0;
        let b = d.start(0.0, 300.0).unwrap().0;
        let c = d.start(0.0, 200.0).unwrap().0;
        let waiting = [(1, Some(a)), (2, Some(b)), (3, Some(c)), (4, None)];
        let (due, next) = d.due(150.0, waiting);
        assert_eq!(due, vec![(1, 100)]);
        assert_eq!(next, Some(200));
        // The timer is now set for 200: a call due at 250 does not move it.
        assert_eq!(d.start(0.0, 250.0).unwrap().1, None);
        let (due, next) = d.due(400.0, [(2, Some(b)), (3, Some(c))]);
        assert_eq!(due, vec![(2, 300), (3, 200)]);
        assert_eq!(next, None);
        // Nothing set: the next call sets the timer.
        assert_eq!(d.start(400.0, 10.0).unwrap().1, Some(410));
    }

    #[test]
    fn clear_forgets_the_timer() {
        let mut d = Deadlines::default();
        d.start(0.0, 100.0);
        d.clear();
        assert_eq!(d.start(0.0, 500.0).unwrap().1, Some(500));
        assert_eq!(delay_until(500, 499.5), 0.5);
        assert_eq!(delay_until(500, 600.0), 0.0);
    }
}
