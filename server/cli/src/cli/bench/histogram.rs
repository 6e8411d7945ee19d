//! A log-bucketed latency histogram: constant memory, about 1.6 % precision.
//!
//! Values (nanoseconds) below 128 have a bucket each; above, every power of two
//! is split into 64 equal buckets. The exact maximum is kept on the side.

use std::time::Duration;

/// Sub-buckets per power of two, as a power of two.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
/// Values below this have a bucket of their own.
const LINEAR: u64 = 2 * SUB;
const BUCKETS: usize = (LINEAR + (64 - SUB_BITS as u64 - 1) * SUB) as usize;

/// Counts of latencies in nanoseconds.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn index(value: u64) -> usize {
    if value < LINEAR {
        return value as usize;
    }
    let exponent = 63 - u64::from(value.leading_zeros());
    let shift = exponent - u64::from(SUB_BITS);
    let mantissa = value >> shift; // in [SUB, 2 * SUB)
    (LINEAR + (exponent - u64::from(SUB_BITS) - 1) * SUB + (mantissa - SUB)) as usize
}

/// The middle of the values that land in bucket `index`.
fn middle(index: usize) -> u64 {
    let index = index as u64;
    if index < LINEAR {
        return index;
    }
    let exponent = (index - LINEAR) / SUB + u64::from(SUB_BITS) + 1;
    let shift = exponent - u64::from(SUB_BITS);
    let mantissa = (index - LINEAR) % SUB + SUB;
    let low = mantissa << shift;
    low + (1 << shift) / 2
}

impl Histogram {
    /// Counts one latency.
    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.record_n(nanos, 1);
    }

    /// Counts `n` calls of `nanos` each.
    pub fn record_n(&mut self, nanos: u64, n: u64) {
        if let Some(count) = self.counts.get_mut(index(nanos)) {
            *count += n;
        }
        self.total += n;
        self.max = self.max.max(nanos);
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// How many latencies were counted.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The largest latency, in nanoseconds.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The latency (nanoseconds) that `fraction` of the calls did not exceed;
    /// never more than [`Histogram::max`]. Zero when empty.
    pub fn percentile(&self, fraction: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((fraction * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return middle(i).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut last = 0;
        for value in (0..10_000).chain([u64::MAX / 3, u64::MAX]) {
            let i = index(value);
            assert!(i < BUCKETS);
            assert!(i >= last);
            last = i;
        }
        for value in [0, 5, 127, 128, 1000, 123_456, 987_654_321] {
            let mid = middle(index(value)) as f64;
            assert!(
                (mid - value as f64).abs() <= value as f64 * 0.016 + 1.0,
                "{value}"
            );
        }
    }

    #[test]
    fn percentiles_are_ordered_and_close() {
        let mut h = Histogram::default();
        for micros in 1..=1000u64 {
            h.record_n(micros * 1000, 1);
        }
        let p50 = h.percentile(0.5) as f64 / 1000.0;
        let p99 = h.percentile(0.99) as f64 / 1000.0;
        assert!((p50 - 500.0).abs() < 10.0, "{p50}");
        assert!((p99 - 990.0).abs() < 20.0, "{p99}");
        assert!(h.percentile(1.0) <= h.max());
        assert_eq!(h.max(), 1_000_000);
        let mut other = Histogram::default();
        other.merge(&h);
        assert_eq!(other.len(), 1000);
        assert_eq!(Histogram::default().percentile(0.5), 0);
    }
}
