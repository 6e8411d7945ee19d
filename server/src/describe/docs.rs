//! The descriptions a [`MethodSet`](crate::MethodSet) keeps beside its
//! handlers: those given with `describe` and `client_method`, and what
//! registering a subscription tells by itself.

use std::collections::BTreeMap;

use super::MethodDoc;

/// The names that make one subscription, known when it is registered.
#[derive(Clone, Debug)]
pub(crate) struct SubscriptionNames {
    pub(crate) notification: String,
    pub(crate) unsubscribe: String,
}

/// Every description of one method set.
#[derive(Clone, Debug, Default)]
pub(crate) struct Docs {
    /// By method name (a subscription's by its subscribe method).
    pub(crate) methods: BTreeMap<String, MethodDoc>,
    /// Methods the server calls on its clients (a browser's), by name.
    pub(crate) client_methods: BTreeMap<String, MethodDoc>,
    /// Subscriptions by their subscribe method.
    pub(crate) subscriptions: BTreeMap<String, SubscriptionNames>,
}

impl Docs {
    /// Adds `other`'s descriptions; one of `other` replaces one of the same name.
    pub(crate) fn merge(&mut self, other: Docs) {
        self.methods.extend(other.methods);
        self.client_methods.extend(other.client_methods);
        self.subscriptions.extend(other.subscriptions);
    }

    /// The subscription that `unsubscribe` ends, if it is one's unsubscribe method.
    pub(crate) fn unsubscribing(&self, unsubscribe: &str) -> Option<(&str, &SubscriptionNames)> {
        self.subscriptions
            .iter()
            .find(|(_, names)| names.unsubscribe == unsubscribe)
            .map(|(subscribe, names)| (subscribe.as_str(), names))
    }
}
