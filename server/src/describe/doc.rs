//! What one method is for, and what it takes, returns and fails with.

use schemars::transform::{
    RemoveRefSiblings, ReplacePrefixItems, ReplaceUnevaluatedProperties, Transform,
};
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Makes the JSON Schema of one Rust type with the document's generator, so
/// that named types land once in its shared definitions.
pub(crate) type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema + ?Sized>(generator: &mut SchemaGenerator) -> Schema {
    let mut schema = generator.subschema_for::<T>();
    // The generator's draft-7 transforms reach only the named definitions:
    // an inline schema (a tuple's, say) gets the same ones here.
    ReplaceUnevaluatedProperties::default().transform(&mut schema);
    RemoveRefSiblings::default().transform(&mut schema);
    ReplacePrefixItems::default().transform(&mut schema);
    schema
}

/// The description of a method (or a notification, or a subscription's
/// subscribe method, or a method the server calls on its clients) for
/// `rpc.discover`: a summary, and the JSON Schemas of its params, result
/// and errors, derived from the Rust types with `schemars`.
///
/// ```
/// use jrpc::MethodDoc;
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Operands { a: f64, b: f64 }
/// let doc = MethodDoc::new("Adds two numbers")
///     .params::<Operands>()
///     .result::<f64>()
///     .error(100, "division by zero");
/// # let _ = doc;
/// ```
#[derive(Clone, Debug)]
pub struct MethodDoc {
    pub(crate) summary: String,
    pub(crate) description: Option<String>,
    pub(crate) params: Option<SchemaFn>,
    pub(crate) param_names: Vec<String>,
    pub(crate) result: Option<SchemaFn>,
    pub(crate) errors: Vec<ErrorDoc>,
    pub(crate) deprecated: bool,
}

/// An application error a method may answer with.
#[derive(Clone, Debug)]
pub(crate) struct ErrorDoc {
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl MethodDoc {
    /// A method described by a one-line `summary`; add what it takes and
    /// returns with the other methods.
    pub fn new(summary: impl Into<String>) -> Self {
        MethodDoc {
            summary: summary.into(),
            description: None,
            params: None,
            param_names: Vec::new(),
            result: None,
            errors: Vec::new(),
            deprecated: false,
        }
    }

    /// A longer text beside the summary.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The params, as the type the handler decodes them into: a struct
    /// (whose fields are the params, by name or in order), a tuple (params
    /// by position: name them with [`MethodDoc::param_names`]) or `()` (none).
    pub fn params<P: JsonSchema>(mut self) -> Self {
        self.params = Some(schema_of::<P>);
        self
    }

    /// The names of positional params (a tuple's), in order.
    pub fn param_names(mut self, names: &[&str]) -> Self {
        self.param_names = names.iter().map(|&n| n.to_owned()).collect();
        self
    }

    /// The result's type (or, for a subscription, its items' type).
    pub fn result<R: JsonSchema>(mut self) -> Self {
        self.result = Some(schema_of::<R>);
        self
    }

    /// An error the method may answer with, beyond JSON-RPC's own.
    pub fn error(mut self, code: i64, message: impl Into<String>) -> Self {
        self.errors.push(ErrorDoc {
            code,
            message: message.into(),
        });
        self
    }

    /// Marks the method as deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
}

/// Who serves the API, for the document's `info`.
///
/// ```
/// let info = jrpc::ApiInfo::new("calculator", "1.2.0").description("Arithmetic on the server");
/// # let _ = info;
/// ```
#[derive(Clone, Debug)]
pub struct ApiInfo {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) description: Option<String>,
}

impl ApiInfo {
    /// The API's title and version (a version of the API, not of jrpc).
    pub fn new(title: impl Into<String>, version: impl Into<String>) -> Self {
        ApiInfo {
            title: title.into(),
            version: version.into(),
            description: None,
        }
    }

    /// A longer text about the API.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}
