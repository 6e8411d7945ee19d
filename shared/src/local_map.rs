//! Hash maps whose keys this side chooses: call tokens and its own request ids
//! (counters), and the names of the methods it registered.
//!
//! The peer can look such keys up but never insert one, so it cannot fill a
//! table with colliding keys: the DoS-resistant default hasher buys nothing
//! and costs a SipHash on every call. A multiplicative (Fibonacci) hash
//! spreads sequential integers evenly instead, and folds short names quickly.
//!
//! The map is `hashbrown`'s, the one std's `HashMap` wraps, with or without
//! the `std` feature: one type either way, so turning the feature on (as
//! Cargo does when any crate of a build asks for it) changes no code that
//! names it.

use core::hash::{BuildHasherDefault, Hasher};

use hashbrown::HashMap;

/// A hash map for keys this side chooses (see the module docs).
///
/// ```
/// let mut pending: jrpc_shared::LocalMap<u64, &str> = Default::default();
/// pending.insert(7, "waiter");
/// assert_eq!(pending.remove(&7), Some("waiter"));
/// ```
pub type LocalMap<K, V> = HashMap<K, V, BuildHasherDefault<LocalHasher>>;

/// The hasher of [`LocalMap`]: one multiplication per `u64` key (or per 8 bytes).
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalHasher(u64);

/// 2^64 divided by the golden ratio, odd: multiplying by it maps consecutive
/// integers far apart in both the high bits and the low bits.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for LocalHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Strings (method names): fold them in 8 bytes at a time, the last
        // word padded with zeros. Without slicing, which could panic (and
        // so bring `core::fmt` into the wasm).
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.write_u64(u64::from_le_bytes(*word));
            rest = tail;
        }
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (to, from) in word.iter_mut().zip(rest) {
                *to = *from;
            }
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    /// The end marker `Hash for str` writes after the bytes: one word, not
    /// the padded tail of `write`. Server only: in the browser's package it
    /// would cost bytes for no gain that matters there.
    #[cfg(feature = "std")]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::hash::BuildHasher;

    #[test]
    fn consecutive_keys_spread_over_high_and_low_bits() {
        let build = BuildHasherDefault::<LocalHasher>::default();
        let hashes: Vec<u64> = (0..1024u64).map(|n| build.hash_one(n)).collect();
        let top: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        assert!(top.len() > 100, "{} distinct top-7-bit tags", top.len());
        assert_eq!(low.len(), 1024);
    }
}
