//! Registering typed Rust handlers, for servers and clients alike.

use jrpc_shared::handler::DynHandler;
use jrpc_shared::{Methods, RegisterError};

use crate::Connection;
use crate::describe::MethodDoc;
use crate::describe::docs::{Docs, SubscriptionNames};
use crate::handler_fn::{AsyncMethod, SubscriptionMethod, SyncMethod};

/// A set of methods whose handlers receive the calling [`Connection`].
///
/// Params are decoded with serde: a tuple takes positional params (`[1, 2]`),
/// a struct takes either positional or named params (`{"a": 1, "b": 2}`).
/// A decode failure is answered with -32602 without calling the handler.
///
/// ```
/// use jrpc::{Connection, ErrorObject, MethodSet};
/// let mut methods = MethodSet::new();
/// methods
///     .sync_method("add", |_conn: Connection, (a, b): (i64, i64)| Ok::<_, ErrorObject>(a + b))
///     .method("whoami", |conn: Connection, (): ()| async move {
///         Ok::<_, ErrorObject>(conn.peer_addr().map(|a| a.to_string()))
///     });
/// ```
#[derive(Default)]
pub struct MethodSet {
    pub(crate) table: Methods<DynHandler<Connection>>,
    /// What `rpc.discover` tells of the methods (see [`crate::describe`]).
    pub(crate) docs: Docs,
    /// The methods that need an [`Identity`](crate::Identity).
    pub(crate) protected: std::collections::HashSet<String>,
}

impl MethodSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an `async` handler.
    ///
    /// # Panics
    /// If `name` is reserved (`rpc.*`, `$/cancelRequest`) or already registered:
    /// that is a programming error, found the first time the code runs.
    pub fn method<P, Fut>(&mut self, name: &str, f: impl AsyncMethod<P, Fut>) -> &mut Self {
        self.register(name, f.into_handler())
    }

    /// Registers a synchronous handler; its answer is written without spawning
    /// or boxing a future, which makes it the fastest kind.
    ///
    /// # Panics
    /// As [`MethodSet::method`].
    pub fn sync_method<P, Out>(&mut self, name: &str, f: impl SyncMethod<P, Out>) -> &mut Self {
        self.register(name, f.into_handler())
    }

    /// Registers a subscription: `subscribe` is the method that opens one
    /// (its handler gets the connection, the decoded params and a
    /// [`PendingSubscription`](crate::PendingSubscription) to accept or
    /// reject), items go out as notifications of `notification`, and
    /// `unsubscribe` (params `[id]`) ends one. See [`crate::subscription`].
    ///
    /// # Panics
    /// As [`MethodSet::method`], for `subscribe` and `unsubscribe`.
    pub fn subscription<P, Fut>(
        &mut self,
        subscribe: &str,
        notification: &str,
        unsubscribe: &str,
        f: impl SubscriptionMethod<P, Fut>,
    ) -> &mut Self {
        self.register(subscribe, f.into_handler(notification));
        let names = SubscriptionNames {
            notification: notification.to_owned(),
            unsubscribe: unsubscribe.to_owned(),
        };
        self.docs.subscriptions.insert(subscribe.to_owned(), names);
        let unsubscribe_fn = crate::subscription::Unsubscribe {
            notification: notification.into(),
        };
        self.register(unsubscribe, Box::new(unsubscribe_fn))
    }

    /// Registers a subscription to `topic` (no params): every subscriber gets
    /// what is published to it, with `options` for each subscriber's buffer,
    /// and a client that resumes gets what it missed (see [`crate::Topic`]).
    ///
    /// ```
    /// use jrpc::{MethodSet, SubscriptionOptions, Topic};
    /// let board = Topic::new("board");
    /// let mut methods = MethodSet::new();
    /// methods.topic("board.subscribe", "board", "board.unsubscribe", &board, SubscriptionOptions::default());
    /// ```
    ///
    /// # Panics
    /// As [`MethodSet::subscription`].
    pub fn topic(
        &mut self,
        subscribe: &str,
        notification: &str,
        unsubscribe: &str,
        topic: &crate::Topic,
        options: crate::SubscriptionOptions,
    ) -> &mut Self {
        let topic = topic.clone();
        self.subscription(
            subscribe,
            notification,
            unsubscribe,
            move |_c: Connection, (): (), pending: crate::PendingSubscription| {
                let topic = topic.clone();
                async move {
                    // Refused only when the request or the connection is gone.
                    let _ = topic.subscribe(pending, options).await;
                }
            },
        )
    }

    /// Describes method `name` for `rpc.discover` (see [`crate::describe`]);
    /// for a subscription, `name` is its subscribe method and the doc's
    /// result type is its items'. A method may be described before or
    /// after it is registered.
    pub fn describe(&mut self, name: &str, doc: MethodDoc) -> &mut Self {
        self.docs.methods.insert(name.to_owned(), doc);
        self
    }

    /// Describes a method the server calls on its clients (a browser
    /// method, say), which `rpc.discover` lists under `x-client-methods`.
    pub fn client_method(&mut self, name: &str, doc: MethodDoc) -> &mut Self {
        self.docs.client_methods.insert(name.to_owned(), doc);
        self
    }

    /// Registers the library's own `rpc.*` method `name` (`rpc.discover`).
    pub(crate) fn register_extension(&mut self, name: &str, handler: DynHandler<Connection>) {
        if let Err(e) = self.table.insert_extension(name, handler) {
            panic!("cannot register method: {e}");
        }
    }

    /// Registers an already-boxed handler, reporting a bad name instead of panicking.
    pub fn try_register(
        &mut self,
        name: &str,
        handler: DynHandler<Connection>,
    ) -> Result<&mut Self, RegisterError> {
        self.table.insert(name, handler)?;
        Ok(self)
    }

    fn register(&mut self, name: &str, handler: DynHandler<Connection>) -> &mut Self {
        if let Err(e) = self.table.insert(name, handler) {
            panic!("cannot register method: {e}");
        }
        self
    }

    /// Moves every method of `other` into this set.
    ///
    /// # Panics
    /// If a name is in both sets.
    pub fn merge(&mut self, other: MethodSet) -> &mut Self {
        self.docs.merge(other.docs);
        self.protected.extend(other.protected);
        let mut other = other.table;
        let names: Vec<String> = other.names().map(str::to_owned).collect();
        for name in names {
            if let Some(handler) = other.remove(&name) {
                self.register(&name, handler);
            }
        }
        self
    }

    /// Marks `name` as needing a signed-in caller: until the connection has
    /// an [`Identity`](crate::Identity) (see [`crate::auth`]), calls to it
    /// are answered with -32006 and the handler does not run.
    pub fn authenticated(&mut self, name: &str) -> &mut Self {
        self.protected.insert(name.to_owned());
        self
    }

    /// The registered method names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.table.names()
    }
}

/// The method-registration part of a builder (`method`, `sync_method`,
/// `methods`), for builders that keep their methods in a `methods: MethodSet`
/// field. A macro rather than a trait so callers need no extra import.
macro_rules! builder_methods {
    ($role:literal) => {
        #[doc = concat!("Registers an `async` method ", $role, "; see [`MethodSet::method`](crate::MethodSet::method).")]
        pub fn method<P, Fut>(mut self, name: &str, f: impl crate::AsyncMethod<P, Fut>) -> Self {
            self.methods.method(name, f);
            self
        }

        #[doc = concat!("Registers a synchronous method ", $role, "; see [`MethodSet::sync_method`](crate::MethodSet::sync_method).")]
        pub fn sync_method<P, Out>(mut self, name: &str, f: impl crate::SyncMethod<P, Out>) -> Self {
            self.methods.sync_method(name, f);
            self
        }

        #[doc = concat!("Registers a subscription ", $role, "; see [`MethodSet::subscription`](crate::MethodSet::subscription).")]
        pub fn subscription<P, Fut>(
            mut self,
            subscribe: &str,
            notification: &str,
            unsubscribe: &str,
            f: impl crate::SubscriptionMethod<P, Fut>,
        ) -> Self {
            self.methods.subscription(subscribe, notification, unsubscribe, f);
            self
        }

        #[doc = concat!("Registers a subscription to a topic ", $role, "; see [`MethodSet::topic`](crate::MethodSet::topic).")]
        pub fn topic(
            mut self,
            subscribe: &str,
            notification: &str,
            unsubscribe: &str,
            topic: &crate::Topic,
            options: crate::SubscriptionOptions,
        ) -> Self {
            self.methods.topic(subscribe, notification, unsubscribe, topic, options);
            self
        }

        /// Describes a method for `rpc.discover`; see [`MethodSet::describe`](crate::MethodSet::describe).
        pub fn describe(mut self, name: &str, doc: crate::MethodDoc) -> Self {
            self.methods.describe(name, doc);
            self
        }

        /// Describes a method the server calls on its clients; see [`MethodSet::client_method`](crate::MethodSet::client_method).
        pub fn client_method(mut self, name: &str, doc: crate::MethodDoc) -> Self {
            self.methods.client_method(name, doc);
            self
        }

        /// Marks a method as needing a signed-in caller; see [`MethodSet::authenticated`](crate::MethodSet::authenticated).
        pub fn authenticated(mut self, name: &str) -> Self {
            self.methods.authenticated(name);
            self
        }

        /// Adds every method of `methods`.
        pub fn methods(mut self, methods: crate::MethodSet) -> Self {
            self.methods.merge(methods);
            self
        }
    };
}
pub(crate) use builder_methods;
