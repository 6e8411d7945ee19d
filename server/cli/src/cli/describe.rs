//! `jrpc methods` and `jrpc describe METHOD`: what a server says it serves,
//! from its `rpc.discover` (OpenRPC) document.

use std::io::Write;
use std::time::Duration;

use serde_json::Value;

use super::args::TimeoutArg;
use super::call::{connect, rpc_error_message};
use super::{Endpoint, Failure};
use jrpc::{CallError, Client};

const METHODS_HELP: &str = "\
Asks the server for its description (rpc.discover, an OpenRPC document) and
prints one line per method: its name, params, result and summary. Methods the
server calls on its clients follow, then subscriptions are marked with the
notification their items arrive as. `jrpc describe METHOD` shows one method
whole, with its JSON Schemas.";

/// The options of `jrpc methods`.
#[derive(Debug, clap::Args)]
#[command(after_help = METHODS_HELP)]
pub struct MethodsArgs {
    /// How long to wait.
    #[command(flatten)]
    pub wait: TimeoutArg,
}

/// The options of `jrpc describe`.
#[derive(Debug, clap::Args)]
pub struct DescribeArgs {
    /// The method to describe.
    pub method: String,
    /// How long to wait.
    #[command(flatten)]
    pub wait: TimeoutArg,
}

/// Fetches the server's document.
pub(crate) async fn document(url: &Endpoint, timeout: Duration) -> Result<Value, Failure> {
    let deadline = crate::cli::args::deadline_after(timeout);
    let client = connect(url, Client::builder(), timeout, deadline).await?;
    let answer = tokio::time::timeout_at(deadline, client.discover()).await;
    client.close();
    match answer {
        Ok(Ok(document)) => Ok(document),
        Ok(Err(CallError::Rpc(e))) if e.code == jrpc::code::METHOD_NOT_FOUND => Err(Failure::rpc(
            format!("{url} does not describe itself (no rpc.discover)"),
        )),
        Ok(Err(CallError::Rpc(e))) => Err(Failure::rpc(rpc_error_message(&e))),
        Ok(Err(e)) => Err(Failure::transport(format!("rpc.discover at {url}: {e}"))),
        Err(_) => Err(Failure::transport(format!(
            "no answer from {url}: timed out after {}s",
            timeout.as_secs_f64()
        ))),
    }
}

/// Runs `jrpc methods` against `url`.
pub async fn methods(
    url: &Endpoint,
    args: &MethodsArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let document = document(url, args.wait.timeout).await?;
    super::output(write_methods(&document, out), "the methods")
}

/// Runs `jrpc describe METHOD` against `url`.
pub async fn describe(
    url: &Endpoint,
    args: &DescribeArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let document = document(url, args.wait.timeout).await?;
    let all = methods_of(&document).chain(client_methods_of(&document));
    let Some(method) = all.into_iter().find(|m| name_of(m) == args.method) else {
        return Err(Failure::usage(format!(
            "{url} describes no method {:?}; `jrpc methods` lists them",
            args.method
        )));
    };
    let method = inline_refs(method, &document["components"]["schemas"], 8);
    let pretty = serde_json::to_string_pretty(&method).unwrap_or_default();
    super::output(writeln!(out, "{pretty}"), "the description")
}

/// `value` with each `$ref` to the document's `schemas` replaced by the
/// schema it names, `depth` levels deep (a recursive type stays a `$ref`).
fn inline_refs(value: &Value, schemas: &Value, depth: usize) -> Value {
    match value {
        Value::Object(object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| schemas.get(name));
            match target {
                Some(schema) if depth > 0 => inline_refs(schema, schemas, depth - 1),
                _ => Value::Object(
                    object
                        .iter()
                        .map(|(k, v)| (k.clone(), inline_refs(v, schemas, depth)))
                        .collect(),
                ),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| inline_refs(v, schemas, depth))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn methods_of(document: &Value) -> impl Iterator<Item = &Value> {
    document["methods"].as_array().into_iter().flatten()
}

fn client_methods_of(document: &Value) -> impl Iterator<Item = &Value> {
    document["x-client-methods"]
        .as_array()
        .into_iter()
        .flatten()
}

fn name_of(method: &Value) -> &str {
    method["name"].as_str().unwrap_or_default()
}

/// The table of `jrpc methods`.
pub fn write_methods(document: &Value, out: &mut impl Write) -> std::io::Result<()> {
    let title = document["info"]["title"].as_str().unwrap_or("(untitled)");
    let version = document["info"]["version"].as_str().unwrap_or("?");
    writeln!(out, "{title} {version}")?;
    let rows: Vec<(String, String)> = methods_of(document).map(row).collect();
    table(&rows, out)?;
    let client: Vec<(String, String)> = client_methods_of(document).map(row).collect();
    if !client.is_empty() {
        writeln!(out, "\nMethods the server calls on its clients:")?;
        table(&client, out)?;
    }
    Ok(())
}

/// A method's name with its params, its result, and its summary.
fn row(method: &Value) -> (String, String) {
    let mut signature = format!("{}({})", name_of(method), params_label(method));
    if let Some(result) = method.get("result") {
        signature.push_str(": ");
        signature.push_str(&type_label(&result["schema"]));
    }
    let mut summary = method["summary"].as_str().unwrap_or_default().to_owned();
    if let Some(subscription) = method.get("x-subscription") {
        summary = format!(
            "{summary} [subscription: items {} as {}]",
            type_label(&subscription["items"]),
            subscription["notification"].as_str().unwrap_or("?"),
        );
    }
    (signature, summary)
}

fn params_label(method: &Value) -> String {
    if method.get("x-any-params") == Some(&Value::Bool(true)) {
        return "...".to_owned();
    }
    let rest = method.get("x-rest-params") == Some(&Value::Bool(true));
    let params = method["params"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    params
        .iter()
        .map(|p| {
            let optional = if p["required"] == Value::Bool(true) {
                ""
            } else {
                "?"
            };
            let dots = if rest { "..." } else { "" };
            format!(
                "{dots}{}{optional}: {}",
                p["name"].as_str().unwrap_or("?"),
                type_label(&p["schema"])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A short name for a JSON Schema's type: `number`, `string[]`, `Tick`, `a | b`.
pub fn type_label(schema: &Value) -> String {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return name.to_owned();
    }
    for union in ["anyOf", "oneOf"] {
        if let Some(options) = schema[union].as_array() {
            return options
                .iter()
                .map(type_label)
                .collect::<Vec<_>>()
                .join(" | ");
        }
    }
    match &schema["type"] {
        Value::String(kind) if kind == "array" => match &schema["items"] {
            Value::Array(items) => format!(
                "[{}]",
                items.iter().map(type_label).collect::<Vec<_>>().join(", ")
            ),
            item if item.is_object() => format!("{}[]", type_label(item)),
            _ => "array".to_owned(),
        },
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    }
}

/// Two columns, the first padded to its widest entry.
fn table(rows: &[(String, String)], out: &mut impl Write) -> std::io::Result<()> {
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    for (signature, summary) in rows {
        writeln!(out, "  {signature:<width$}  {summary}")?;
    }
    Ok(())
}
