//! The OpenRPC 1.3 document of a method set, which `rpc.discover` answers.
//!
//! Methods are described from their [`MethodDoc`]s; JSON Schemas come from
//! schemars (draft 7, which OpenRPC's content descriptors use), with named
//! types once under `components.schemas`. What OpenRPC has no place for
//! goes in `x-` members (see the README): a subscribe method's
//! `x-subscription` (its notification, unsubscribe method and items), and
//! the document's `x-client-methods`, the methods the server calls on its
//! clients.

use schemars::generate::{Contract, SchemaSettings};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::docs::{Docs, SubscriptionNames};
use super::{ApiInfo, MethodDoc};

/// The OpenRPC version the document follows.
pub const OPENRPC_VERSION: &str = "1.3.2";

/// Where named types go, as OpenRPC has them.
const DEFINITIONS: &str = "/components/schemas";

/// Params and results get schemas of their own generator: params as they
/// are read (deserialised), results as they are written.
struct Generators {
    params: SchemaGenerator,
    results: SchemaGenerator,
}

impl Generators {
    fn new() -> Self {
        let settings = |contract| {
            let mut settings = SchemaSettings::draft07();
            settings.definitions_path = DEFINITIONS.into();
            settings.contract = contract;
            settings.meta_schema = None;
            settings
        };
        Generators {
            params: SchemaGenerator::new(settings(Contract::Deserialize)),
            results: SchemaGenerator::new(settings(Contract::Serialize)),
        }
    }

    /// The named types both generators met; a result type's schema wins
    /// over a param type's of the same name only where the params had none.
    fn definitions(&mut self) -> Map<String, Value> {
        let mut all = self.params.take_definitions(true);
        for (name, schema) in self.results.take_definitions(true) {
            all.entry(name).or_insert(schema);
        }
        all
    }
}

/// The document for `info` of a set whose methods are `names` (every name
/// registered, `rpc.*` left out), described by `docs`.
pub(crate) fn document<'a>(
    info: &ApiInfo,
    names: impl IntoIterator<Item = &'a str>,
    docs: &Docs,
) -> Value {
    let mut generators = Generators::new();
    let mut names: Vec<&str> = names
        .into_iter()
        .filter(|n| !n.starts_with("rpc."))
        .collect();
    names.sort_unstable();
    let methods: Vec<Value> = names
        .iter()
        .map(|name| method(name, docs, &mut generators))
        .collect();
    let client_methods: Vec<Value> = docs
        .client_methods
        .iter()
        .map(|(name, doc)| described(name, doc, &mut generators))
        .collect();
    let mut info_object = json!({ "title": info.title, "version": info.version });
    if let Some(text) = &info.description {
        info_object["description"] = json!(text);
    }
    let mut document = json!({
        "openrpc": OPENRPC_VERSION,
        "info": info_object,
        "methods": methods,
    });
    let schemas = generators.definitions();
    if !schemas.is_empty() {
        document["components"] = json!({ "schemas": schemas });
    }
    if !client_methods.is_empty() {
        document["x-client-methods"] = json!(client_methods);
    }
    document
}

/// The method object of `name`: from its description, or what is known.
fn method(name: &str, docs: &Docs, generators: &mut Generators) -> Value {
    let subscription = docs.subscriptions.get(name);
    let mut object = match docs.methods.get(name) {
        Some(doc) if subscription.is_some() => {
            // A subscribe method's result is the subscription's id; the
            // doc's result type is its items'.
            let mut object = described(
                name,
                &MethodDoc {
                    result: None,
                    ..doc.clone()
                },
                generators,
            );
            object["result"] = subscription_id();
            object
        }
        Some(doc) => described(name, doc, generators),
        None => undescribed(name, docs),
    };
    if let Some(names) = subscription {
        let items = docs
            .methods
            .get(name)
            .and_then(|doc| doc.result)
            .map_or(json!({}), |schema| {
                Value::from(schema(&mut generators.results))
            });
        object["x-subscription"] = subscription_extension(names, items);
    }
    object
}

fn subscription_extension(names: &SubscriptionNames, items: Value) -> Value {
    json!({
        "notification": names.notification,
        "unsubscribe": names.unsubscribe,
        "items": items,
    })
}

fn subscription_id() -> Value {
    json!({ "name": "subscription", "schema": { "type": "string" }, "required": true })
}

/// A method with no description: its name, and any params. An
/// unsubscribe method is known all the same: `[subscription id]` → bool.
fn undescribed(name: &str, docs: &Docs) -> Value {
    if let Some((subscribe, _)) = docs.unsubscribing(name) {
        return json!({
            "name": name,
            "summary": format!("Ends a subscription that {subscribe} opened"),
            "params": [subscription_id()],
            "paramStructure": "by-position",
            "result": { "name": "ended", "schema": { "type": "boolean" } },
        });
    }
    json!({
        "name": name,
        "description": "Not described: any params, any result.",
        "params": [],
        "x-any-params": true,
        "result": { "name": "result", "schema": {} },
    })
}

/// The method object of a described method.
fn described(name: &str, doc: &MethodDoc, generators: &mut Generators) -> Value {
    let mut object = json!({ "name": name, "summary": doc.summary });
    if let Some(text) = &doc.description {
        object["description"] = json!(text);
    }
    let shape = match doc.params {
        Some(schema) => {
            let schema = schema(&mut generators.params);
            params(&schema, &doc.param_names, &generators.params)
        }
        None => Shape::any(),
    };
    object["params"] = json!(shape.params);
    if let Some(structure) = shape.structure {
        object["paramStructure"] = json!(structure);
    }
    if let Some(extension) = shape.extension {
        object[extension] = json!(true);
    }
    if let Some(result) = doc.result {
        object["result"] =
            json!({ "name": "result", "schema": Value::from(result(&mut generators.results)) });
    }
    if !doc.errors.is_empty() {
        let errors: Vec<Value> = doc
            .errors
            .iter()
            .map(|e| json!({ "code": e.code, "message": e.message }))
            .collect();
        object["errors"] = json!(errors);
    }
    if doc.deprecated {
        object["deprecated"] = json!(true);
    }
    object
}

/// How a method's params are described.
struct Shape {
    /// Their content descriptors.
    params: Vec<Value>,
    /// `paramStructure`: `either`, `by-position`, or (none) OpenRPC's default.
    structure: Option<&'static str>,
    /// `x-rest-params` (the last param repeats: `[1, 2, 4]`) or
    /// `x-any-params` (not described: anything goes).
    extension: Option<&'static str>,
}

impl Shape {
    fn any() -> Self {
        Shape {
            params: Vec::new(),
            structure: None,
            extension: Some("x-any-params"),
        }
    }
}

/// The params of a params type: a struct's fields, by name or in order
/// (`either`); a tuple's elements by position; a sequence's items by
/// position, any number of them (`x-rest-params`); `()` none; anything else
/// undescribed.
fn params(schema: &Schema, names: &[String], generator: &SchemaGenerator) -> Shape {
    let resolved = resolve(schema.as_value(), generator);
    let name =
        |i: usize, default: &str| names.get(i).cloned().unwrap_or_else(|| default.to_owned());
    if resolved.get("type") == Some(&json!("null")) {
        return Shape {
            params: Vec::new(),
            structure: None,
            extension: None,
        };
    }
    if let Some(properties) = resolved.get("properties").and_then(Value::as_object) {
        let required = resolved.get("required").and_then(Value::as_array);
        let is_required = |name: &str| required.is_some_and(|r| r.iter().any(|n| n == name));
        let params = properties
            .iter()
            .map(|(name, schema)| json!({ "name": name, "schema": schema, "required": is_required(name) }))
            .collect();
        return Shape {
            params,
            structure: Some("either"),
            extension: None,
        };
    }
    match resolved.get("items") {
        Some(Value::Array(items)) => {
            let min = resolved
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let params = items
                .iter()
                .enumerate()
                .map(|(i, schema)| {
                    let required = u64::try_from(i).is_ok_and(|i| i < min);
                    json!({ "name": name(i, &format!("param{}", i + 1)), "schema": schema, "required": required })
                })
                .collect();
            Shape {
                params,
                structure: Some("by-position"),
                extension: None,
            }
        }
        Some(item) => Shape {
            params: vec![json!({ "name": name(0, "items"), "schema": item, "required": false })],
            structure: Some("by-position"),
            extension: Some("x-rest-params"),
        },
        None => Shape::any(),
    }
}

/// `schema`, or the definition its `$ref` names.
fn resolve<'a>(schema: &'a Value, generator: &'a SchemaGenerator) -> &'a Value {
    let prefix = concat!("#", "/components/schemas", "/");
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(prefix))
        .and_then(|name| generator.definitions().get(name))
        .unwrap_or(schema)
}
