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
    /// `(client, round, sequential calls/s, concurrent calls/s)`, every round.
    pub rounds_of: Vec<(String, u64, f64, f64)>,
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
    let number = |run: &Value, key: &str| run.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let rounds_of = runs
        .iter()
        .filter_map(|run| {
            let client = run.get("client").and_then(Value::as_str)?;
            let round = run.get("round").and_then(Value::as_u64)?;
            Some((
                client.to_owned(),
                round,
                number(run, "sequential"),
                number(run, "concurrent"),
            ))
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
        rounds_of,
    })
}

impl Browser {
    /// `mine` over `theirs` in calls/s, sequential and concurrent: the median
    /// of the ratios of each round, in which both ran side by side.
    pub fn ratios(&self, mine: &str, theirs: &str) -> (Option<f64>, Option<f64>) {
        let pairs: Vec<(f64, f64)> = self
            .rounds_of
            .iter()
            .filter(|(name, ..)| name == mine)
            .filter_map(|(_, round, s, c)| {
                let (_, _, os, oc) = self
                    .rounds_of
                    .iter()
                    .find(|(name, r, ..)| name == theirs && r == round)?;
                Some((s / os, c / oc))
            })
            .collect();
        (
            median(pairs.iter().map(|p| p.0).collect()),
            median(pairs.iter().map(|p| p.1).collect()),
        )
    }

    /// The medians of `client`.
    pub fn of(&self, client: &str) -> Option<(f64, f64)> {
        self.clients
            .iter()
            .find(|(name, _, _)| name == client)
            .map(|(_, s, c)| (*s, *c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_medians_of_each_round() {
        let round = |client: &str, round, s, c| (client.to_owned(), round, s, c);
        let browser = Browser {
            chromium: String::new(),
            in_flight: 100,
            ms: 2000,
            rounds: 3,
            clients: Vec::new(),
            rounds_of: vec![
                round("jrpc", 0, 100.0, 1000.0),
                round("other", 0, 95.0, 1000.0),
                round("jrpc", 1, 200.0, 2000.0),
                round("other", 1, 210.0, 1600.0),
                round("jrpc", 2, 300.0, 3000.0),
                round("other", 2, 290.0, 3000.0),
            ],
        };
        let (sequential, concurrent) = browser.ratios("jrpc", "other");
        // Per round 1.053, 0.952, 1.034: the median is round 2's, while the
        // medians of each side (200 and 210) would say 0.952.
        assert!((sequential.unwrap() - 300.0 / 290.0).abs() < 1e-9);
        assert!((concurrent.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(browser.ratios("jrpc", "nobody"), (None, None));
    }
}
