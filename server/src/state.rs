//! Application state given to a builder once, which every handler of the
//! server (or client) reads through its [`Connection`](crate::Connection):
//! a database pool, a configuration, a [`Topic`](crate::Topic), without
//! globals. One value per type; the map is shared by every connection and
//! never changes after the builder is done, so reading takes no lock.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Values by type, each behind its own `Arc` (so a handler can keep one
/// beyond the call).
#[derive(Default)]
pub(crate) struct State(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl State {
    /// Stores `value`, replacing one of the same type.
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was given.
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value = Arc::clone(self.0.get(&TypeId::of::<T>())?);
        value.downcast::<T>().ok()
    }
}
