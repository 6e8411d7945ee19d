//! The engine's tables: calls in flight, pending calls, batch replies,
//! method names, and the index of the peer's ids.
//!
//! With `std` (the server and the native client) they are hash maps: a
//! server holds many calls at once and looks one up on every response.
//! Without it (the browser's package) they are [`Sorted`] vectors: a page
//! holds a few calls at a time, bounded by the in-flight limits, and a
//! sorted vector is a few hundred bytes of wasm where each of hashbrown's
//! five instances (one per key and value type) was kilobytes, most of the
//! package's growth room. Either way a look-up is never a scan: the peer
//! cannot make one frame cost the square of the calls in flight.

#[cfg(feature = "std")]
mod imp {
    /// A table keyed by what this side chooses (see [`crate::LocalMap`]).
    pub(crate) type Table<K, V> = crate::LocalMap<K, V>;
    /// A table keyed by what the peer sends: std's randomly keyed hasher,
    /// so crafted keys cannot collide.
    pub(crate) type PeerTable<K, V> = hashbrown::HashMap<K, V, std::hash::RandomState>;
    pub(crate) use hashbrown::hash_map::Entry;

    /// An empty [`PeerTable`] of ids with room for `capacity` entries.
    pub(crate) fn peer_table<V>(capacity: usize) -> PeerTable<crate::Id, V> {
        PeerTable::with_capacity_and_hasher(capacity, Default::default())
    }
}

#[cfg(not(feature = "std"))]
mod imp {
    // A sorted table for the peer's ids too: without std there is no
    // randomness to key a hasher with (std on `wasm32-unknown-unknown`
    // keys it from two addresses, the same on every run), and a binary
    // search has no collisions to craft.
    pub(crate) use super::sorted::{Entry, Sorted as PeerTable, Sorted as Table};

    /// An empty [`PeerTable`] of ids with room for `capacity` entries.
    pub(crate) fn peer_table<V>(capacity: usize) -> PeerTable<crate::Id, V> {
        PeerTable::with_capacity(capacity)
    }
}

pub(crate) use imp::*;

// Built (and unit-tested) with std too, so `cargo test` checks the tables
// the browser runs on.
#[cfg_attr(feature = "std", allow(dead_code))]
mod sorted {
    use alloc::vec::Vec;
    use core::borrow::Borrow;

    /// A map kept as a vector sorted by key: binary search to find, a move
    /// of the tail to insert or remove. The subset of hashbrown's `HashMap`
    /// API the engine uses, with the same names, so one engine compiles
    /// against either.
    #[derive(Debug)]
    pub(crate) struct Sorted<K, V> {
        items: Vec<(K, V)>,
    }

    impl<K, V> Default for Sorted<K, V> {
        fn default() -> Self {
            Sorted { items: Vec::new() }
        }
    }

    /// A key's place in a [`Sorted`] map, as hashbrown's `Entry` (only what
    /// the engine uses).
    pub(crate) enum Entry<'a, K, V> {
        Occupied(OccupiedEntry<'a, K, V>),
        Vacant,
    }

    /// A key that is in the map.
    pub(crate) struct OccupiedEntry<'a, K, V> {
        items: &'a mut Vec<(K, V)>,
        at: usize,
    }

    impl<K, V> OccupiedEntry<'_, K, V> {
        pub(crate) fn get(&self) -> &V {
            // `at` came from a search of this very vector, which the entry
            // borrows mutably, so it is in bounds; no indexing, whose panic
            // message would format numbers.
            match self.items.get(self.at) {
                Some((_, value)) => value,
                None => unreachable_entry(),
            }
        }

        pub(crate) fn remove(self) -> V {
            self.items.remove(self.at).1
        }
    }

    #[cold]
    fn unreachable_entry() -> ! {
        // Not reached (see `get`); a trap in the wasm.
        panic!()
    }

    impl<K: Ord, V> Sorted<K, V> {
        pub(crate) fn with_capacity(capacity: usize) -> Self {
            Sorted {
                items: Vec::with_capacity(capacity),
            }
        }

        fn find<Q>(&self, key: &Q) -> Result<usize, usize>
        where
            K: Borrow<Q>,
            Q: Ord + ?Sized,
        {
            self.items.binary_search_by(|(k, _)| k.borrow().cmp(key))
        }

        pub(crate) fn len(&self) -> usize {
            self.items.len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.items.is_empty()
        }

        pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
        where
            K: Borrow<Q>,
            Q: Ord + ?Sized,
        {
            self.find(key).is_ok()
        }

        pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
        where
            K: Borrow<Q>,
            Q: Ord + ?Sized,
        {
            let at = self.find(key).ok()?;
            self.items.get(at).map(|(_, v)| v)
        }

        pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
        where
            K: Borrow<Q>,
            Q: Ord + ?Sized,
        {
            let at = self.find(key).ok()?;
            self.items.get_mut(at).map(|(_, v)| v)
        }

        /// Inserts or replaces; the old value, if any. Keys that only grow
        /// (ids, tokens) land at the end, where nothing moves.
        pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
            match self.find(&key) {
                Ok(at) => self
                    .items
                    .get_mut(at)
                    .map(|(_, old)| core::mem::replace(old, value)),
                Err(at) => {
                    self.items.insert(at, (key, value));
                    None
                }
            }
        }

        pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
        where
            K: Borrow<Q>,
            Q: Ord + ?Sized,
        {
            let at = self.find(key).ok()?;
            Some(self.items.remove(at).1)
        }

        pub(crate) fn entry(&mut self, key: K) -> Entry<'_, K, V> {
            match self.find(&key) {
                Ok(at) => Entry::Occupied(OccupiedEntry {
                    items: &mut self.items,
                    at,
                }),
                Err(_) => Entry::Vacant,
            }
        }

        /// Every entry, in key order.
        pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
            self.items.iter().map(|(k, v)| (k, v))
        }

        pub(crate) fn keys(&self) -> impl Iterator<Item = &K> {
            self.items.iter().map(|(k, _)| k)
        }

        pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
            self.items.iter_mut().map(|(_, v)| v)
        }

        /// Empties the map, handing back every entry.
        pub(crate) fn drain(&mut self) -> impl Iterator<Item = (K, V)> + '_ {
            self.items.drain(..)
        }
    }

    impl<'a, K: Ord, V> IntoIterator for &'a Sorted<K, V> {
        type Item = (&'a K, &'a V);
        type IntoIter =
            core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

        fn into_iter(self) -> Self::IntoIter {
            self.items.iter().map(|(k, v)| (k, v))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use alloc::boxed::Box;
        use alloc::vec;

        #[test]
        fn behaves_as_a_map_in_any_order_of_keys() {
            let mut map = Sorted::default();
            // Keys out of order, a replacement, removals at both ends and
            // in the middle: checked against std's ordered map.
            let mut reference = std::collections::BTreeMap::new();
            let keys = [5u64, 1, 9, 3, 7, 1, 2, 8, 0, 9, 4];
            for (value, key) in keys.into_iter().enumerate() {
                assert_eq!(map.insert(key, value), reference.insert(key, value));
            }
            for key in [0u64, 9, 4, 6] {
                assert_eq!(map.remove(&key), reference.remove(&key));
            }
            assert_eq!(map.len(), reference.len());
            let ours: Vec<(u64, usize)> = map.iter().map(|(k, v)| (*k, *v)).collect();
            let theirs: Vec<(u64, usize)> = reference.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(ours, theirs);
            for key in 0..10 {
                assert_eq!(map.get(&key), reference.get(&key));
                assert_eq!(map.contains_key(&key), reference.contains_key(&key));
            }
            if let Some(v) = map.get_mut(&3) {
                *v = 100;
            }
            assert_eq!(map.get(&3), Some(&100));
            let drained: Vec<(u64, usize)> = map.drain().collect();
            assert_eq!(drained.len(), theirs.len());
            assert!(map.is_empty());
        }

        #[test]
        fn looks_up_boxed_strings_by_str_and_entries_remove() {
            let mut map: Sorted<Box<str>, u32> = Sorted::with_capacity(2);
            map.insert("b".into(), 2);
            map.insert("a".into(), 1);
            assert_eq!(map.get("a"), Some(&1));
            assert_eq!(map.keys().map(|k| &**k).collect::<Vec<_>>(), vec!["a", "b"]);
            let Entry::Occupied(entry) = map.entry("b".into()) else {
                panic!("b is in the map");
            };
            assert_eq!(*entry.get(), 2);
            assert_eq!(entry.remove(), 2);
            assert!(matches!(map.entry("b".into()), Entry::Vacant));
            assert_eq!(map.len(), 1);
        }
    }
}
