//! Calls per second per connection: a token bucket. Each call takes a
//! token; tokens come back at the configured rate, up to the burst. A call
//! that finds none is answered at once with -32005 (never queued: a queue
//! would let a flooding peer hold memory and delay its own later calls).

use std::time::Duration;

use tokio::time::Instant;

/// The limit: `per_second` calls on average, `burst` at once.
///
/// ```
/// use jrpc::RateLimit;
/// let limit = RateLimit::new(100, 200);
/// assert_eq!((limit.per_second, limit.burst), (100, 200));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Calls per second, on average (at least 1).
    pub per_second: u32,
    /// Calls that may come at once after a quiet spell (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` on average, `burst` at once (each at least 1).
    pub fn new(per_second: u32, burst: u32) -> Self {
        RateLimit {
            per_second: per_second.max(1),
            burst: burst.max(1),
        }
    }
}

/// One connection's bucket.
pub(crate) struct Bucket {
    limit: RateLimit,
    /// Tokens, in millionths of a call, as of `at`.
    micros: u64,
    at: Instant,
}

const MICROS: u64 = 1_000_000;

impl Bucket {
    /// A full bucket.
    pub(crate) fn new(limit: RateLimit, now: Instant) -> Self {
        // The fields are public: zero may come without `RateLimit::new`.
        let limit = RateLimit::new(limit.per_second, limit.burst);
        Bucket {
            limit,
            micros: u64::from(limit.burst) * MICROS,
            at: now,
        }
    }

    /// Takes a token at `now`: `Ok`, or `Err` with how long until the next.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at);
        let earned = (elapsed.as_micros() as u64).saturating_mul(u64::from(self.limit.per_second));
        let cap = u64::from(self.limit.burst) * MICROS;
        self.micros = self.micros.saturating_add(earned).min(cap);
        self.at = now;
        if self.micros >= MICROS {
            self.micros -= MICROS;
            return Ok(());
        }
        // Micro-tokens still missing, at `per_second` per microsecond each.
        let missing = MICROS - self.micros;
        let wait_micros = missing.div_ceil(u64::from(self.limit.per_second));
        Err(Duration::from_micros(wait_micros))
    }

    /// The refusal of a call at `now` when the bucket is empty (-32005,
    /// with when to retry); `None` when the call may run.
    pub(crate) fn refusal(&mut self, now: Instant) -> Option<jrpc_shared::ErrorObject> {
        let wait = self.take(now).err()?;
        let retry_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        Some(jrpc_shared::ErrorObject::rate_limited(
            self.limit.per_second,
            retry_ms,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::new(RateLimit::new(10, 3), start);
        for _ in 0..3 {
            assert_eq!(bucket.take(start), Ok(()));
        }
        // Empty: the next token comes in a tenth of a second.
        assert_eq!(bucket.take(start), Err(Duration::from_millis(100)));
        let later = start + Duration::from_millis(40);
        assert_eq!(bucket.take(later), Err(Duration::from_millis(60)));
        let refilled = start + Duration::from_millis(100);
        assert_eq!(bucket.take(refilled), Ok(()));
        assert!(bucket.take(refilled).is_err());
        // A long quiet spell fills it to the burst, no more.
        let quiet = refilled + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(bucket.take(quiet), Ok(()));
        }
        assert!(bucket.take(quiet).is_err());
    }

    #[test]
    fn zero_means_one() {
        assert_eq!(RateLimit::new(0, 0), RateLimit::new(1, 1));
    }
}
