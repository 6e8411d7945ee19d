//! The browser benchmark's results (written by `tests/browser/bench.mjs`).

use std::path::Path;

use serde_json::Value;

use crate::stats::median;

/// Medians per client.
pub struct Browser {
    /// Chromium's version.
    pub chromium: String,
    /// Calls kept in flight in the concurrent mode.
    pub in_flight: u64,
    /// Milliseconds each mode ran.
    pub ms: u64,
    /// Rounds (each client once per round).
    pub rounds: usize,
    /// `(client, sequential calls/s, concurrent calls/s)`, medians.
    pub clients: Vec<(String, f64, f64)>,
}

/// Reads the results file.
pub fn read(path: &Path) -> Result<Browser, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the browser results {}: {e}", path.display()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| format!("the browser results {} are not JSON: {e}", path.display()))?;
    let runs = json
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("no runs in {}", path.display()))?;
    let mut names: Vec<String> = Vec::new();
    for run in runs {
        if let Some(name) = run.get("client").and_then(Value::as_str)
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
    }
    let figure = |name: &str, key: &str| {
        median(
            runs.iter()
                .filter(|r| r.get("client").and_then(Value::as_str) == Some(name))
                .filter_map(|r| r.get(key).and_then(Value::as_f64))
                .collect(),
        )
        .unwrap_or(f64::NAN)
    };
    let clients = names
        .iter()
        .map(|name| {
            (
                name.clone(),
                figure(name, "sequential"),
                figure(name, "concurrent"),
            )
        })
        .collect();
    let text_of = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned()
    };
    Ok(Browser {
        chromium: text_of("chromium"),
        in_flight: json.get("inFlight").and_then(Value::as_u64).unwrap_or(0),
        ms: json.get("ms").and_then(Value::as_u64).unwrap_or(0),
        rounds: runs.len() / names.len().max(1),
        clients,
    })
}

impl Browser {
    /// The medians of `client`.
    pub fn of(&self, client: &str) -> Option<(f64, f64)> {
        self.clients
            .iter()
            .find(|(name, _, _)| name == client)
            .map(|(_, s, c)| (*s, *c))
    }
}
