//! Hash maps keyed by counters this side hands out itself: call tokens and its
//! own request ids.
//!
//! Such keys are sequential and never chosen by the peer (a peer's response
//! can only look up an id, not insert one), so the DoS-resistant default hasher
//! buys nothing and costs a SipHash per lookup on every call. A multiplicative
//! (Fibonacci) hash spreads sequential keys evenly instead.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` for keys this side allocates (see the module docs).
///
/// ```
/// let mut pending: jrpc_shared::CounterMap<u64, &str> = Default::default();
/// pending.insert(7, "waiter");
/// assert_eq!(pending.remove(&7), Some("waiter"));
/// ```
pub type CounterMap<K, V> = HashMap<K, V, BuildHasherDefault<CounterHasher>>;

/// The hasher of [`CounterMap`]: one multiplication per `u64` key.
#[derive(Clone, Copy, Debug, Default)]
pub struct CounterHasher(u64);

/// 2^64 divided by the golden ratio, odd: multiplying by it maps consecutive
/// integers far apart in both the high bits and the low bits.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for CounterHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than integers; fold them in 8 bytes at a time.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn consecutive_keys_spread_over_high_and_low_bits() {
        let build = BuildHasherDefault::<CounterHasher>::default();
        let hashes: Vec<u64> = (0..1024u64).map(|n| build.hash_one(n)).collect();
        let top: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        assert!(top.len() > 100, "{} distinct top-7-bit tags", top.len());
        assert_eq!(low.len(), 1024);
    }
}
