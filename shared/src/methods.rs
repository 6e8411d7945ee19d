//! The method table: names to handlers.
//!
//! Generic over the handler type so that the native driver stores Rust
//! closures and the browser driver stores JavaScript functions in the same
//! table, with the same naming rules.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;

use crate::table::Table;

/// Method names starting with this prefix are reserved by JSON-RPC 2.0 for
/// system extensions; this library defines none, so they are never registered.
pub const RESERVED_PREFIX: &str = "rpc.";

/// Why a method could not be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// The name starts with `rpc.`, which the specification reserves.
    #[error(
        "method name \"{0}\" is reserved: names starting with \"rpc.\" belong to JSON-RPC itself"
    )]
    Reserved(String),
    /// The name is [`crate::CANCEL_METHOD`], which the engine handles itself.
    #[error("method name \"{0}\" is handled by the library (request cancellation)")]
    Builtin(String),
    /// A handler is already registered under this name.
    #[error("method \"{0}\" is already registered")]
    Duplicate(String),
    /// [`Methods::insert_extension`] takes only `rpc.` names.
    #[error("method name \"{0}\" is no extension: those start with \"rpc.\"")]
    NotAnExtension(String),
}

/// A table of methods, looked up by exact name.
///
/// ```
/// use jrpc_shared::Methods;
/// let mut methods = Methods::new();
/// methods.insert("ping", "handler").unwrap();
/// assert!(methods.insert("rpc.discover", "handler").is_err());
/// assert_eq!(methods.get("ping"), Some(&"handler"));
/// ```
#[derive(Debug)]
pub struct Methods<H> {
    // Looked up on every call; only the app inserts names.
    table: Table<Box<str>, H>,
}

impl<H> Default for Methods<H> {
    fn default() -> Self {
        Methods {
            table: Table::default(),
        }
    }
}

impl<H> Methods<H> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` under `name`.
    pub fn insert(&mut self, name: &str, handler: H) -> Result<(), RegisterError> {
        check_name(name)?;
        if self.table.contains_key(name) {
            return Err(RegisterError::Duplicate(name.to_owned()));
        }
        self.table.insert(name.into(), handler);
        Ok(())
    }

    /// Registers `handler` under `name`, one of the `rpc.` names the
    /// specification reserves for the library's own extensions (such as
    /// OpenRPC's `rpc.discover`), which [`Methods::insert`] refuses.
    ///
    /// ```
    /// let mut methods = jrpc_shared::Methods::new();
    /// methods.insert_extension("rpc.discover", "handler").unwrap();
    /// assert!(methods.insert_extension("ping", "handler").is_err());
    /// ```
    pub fn insert_extension(&mut self, name: &str, handler: H) -> Result<(), RegisterError> {
        if !name.starts_with(RESERVED_PREFIX) {
            return Err(RegisterError::NotAnExtension(name.to_owned()));
        }
        if self.table.contains_key(name) {
            return Err(RegisterError::Duplicate(name.to_owned()));
        }
        self.table.insert(name.into(), handler);
        Ok(())
    }

    /// This table with `handler` under `name`, one of the library's own
    /// `rpc.` names (no check, so nothing to refuse: for a name the code
    /// itself gives, as the browser engine does with
    /// [`RECONNECT_METHOD`](crate::RECONNECT_METHOD)).
    ///
    /// ```
    /// let methods = jrpc_shared::Methods::new().with_extension("rpc.reconnect", 0);
    /// assert_eq!(methods.get("rpc.reconnect"), Some(&0));
    /// ```
    pub fn with_extension(mut self, name: &'static str, handler: H) -> Self {
        debug_assert!(name.starts_with(RESERVED_PREFIX));
        self.table.insert(name.into(), handler);
        self
    }

    /// Registers `handler` under `name`, replacing any earlier handler of that name.
    pub fn replace(&mut self, name: &str, handler: H) -> Result<Option<H>, RegisterError> {
        check_name(name)?;
        Ok(self.table.insert(name.into(), handler))
    }

    /// Removes the handler registered under `name`.
    pub fn remove(&mut self, name: &str) -> Option<H> {
        self.table.remove(name)
    }

    /// The handler for `name`; reserved names never match.
    pub fn get(&self, name: &str) -> Option<&H> {
        self.table.get(name)
    }

    /// The registered names, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.table.keys().map(|k| &**k)
    }

    /// How many methods are registered.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no method is registered.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

fn check_name(name: &str) -> Result<(), RegisterError> {
    if name.starts_with(RESERVED_PREFIX) {
        return Err(RegisterError::Reserved(name.to_owned()));
    }
    if name == crate::CANCEL_METHOD {
        return Err(RegisterError::Builtin(name.to_owned()));
    }
    Ok(())
}
