//! Reconnect delays: exponential backoff with jitter.

/// Reconnect settings (the `reconnect` option).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Backoff {
    pub(crate) initial_delay_ms: f64,
    pub(crate) max_delay_ms: f64,
    /// Attempts after a drop before giving up; `f64::INFINITY` never gives up.
    pub(crate) max_retries: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial_delay_ms: 250.0,
            max_delay_ms: 30_000.0,
            max_retries: f64::INFINITY,
        }
    }
}

impl Backoff {
    /// The delay before reconnect attempt `attempt` (0-based), given a random
    /// number in `[0, 1)`. The delay doubles per attempt up to the maximum, and
    /// "equal jitter" keeps it between half and all of that, so many clients
    /// dropped at once by a server restart do not return in lockstep.
    pub(crate) fn delay_ms(&self, attempt: u32, random: f64) -> f64 {
        let exp = 2f64.powi(attempt.min(60) as i32);
        let ceiling = (self.initial_delay_ms * exp)
            .min(self.max_delay_ms)
            .max(0.0);
        ceiling / 2.0 + ceiling / 2.0 * random.clamp(0.0, 1.0)
    }

    /// Whether attempt number `attempt` (0-based) may still be made.
    pub(crate) fn allows(&self, attempt: u32) -> bool {
        f64::from(attempt) < self.max_retries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_maximum_with_jitter() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(0, 0.0), 125.0);
        assert_eq!(b.delay_ms(0, 1.0), 250.0);
        assert_eq!(b.delay_ms(3, 1.0), 2000.0);
        assert_eq!(b.delay_ms(30, 1.0), 30_000.0);
        assert_eq!(b.delay_ms(1000, 0.5), 22_500.0);
        for attempt in 0..20 {
            let d = b.delay_ms(attempt, 0.37);
            assert!(d > 0.0 && d <= 30_000.0);
        }
    }

    #[test]
    fn retries_are_counted() {
        let b = Backoff {
            max_retries: 2.0,
            ..Backoff::default()
        };
        assert!(b.allows(0) && b.allows(1) && !b.allows(2));
        assert!(Backoff::default().allows(u32::MAX));
    }
}
