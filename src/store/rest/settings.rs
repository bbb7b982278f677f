//! How the REST client waits and retries, from the environment as MLflow's client reads it:
//! `RTRACK_HTTP_REQUEST_TIMEOUT` (seconds, default 120), `..._MAX_RETRIES` (default 7),
//! `..._BACKOFF_FACTOR` (default 2) and `..._BACKOFF_JITTER` (default 1), each falling back to
//! the `MLFLOW_` variable of the same name.

use std::time::Duration;

use crate::api::fluent::env_setting;
use crate::error::{Error, Result};

/// The longest wait between two attempts, whatever the backoff factor says.
const MAX_BACKOFF: Duration = Duration::from_secs(120);

#[derive(Clone, Debug, PartialEq)]
pub struct HttpSettings {
    /// How long connecting, sending a request and waiting for the answer's head may take.
    pub timeout: Duration,
    /// Attempts after the first for a request that failed in a way worth retrying.
    pub max_retries: u32,
    /// The n-th retry waits `backoff_factor * 2^(n-1)` seconds ...
    pub backoff_factor: f64,
    /// ... plus up to this many seconds at random, so clients that failed together do not
    /// all come back at once.
    pub backoff_jitter: f64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(120),
            max_retries: 7,
            backoff_factor: 2.0,
            backoff_jitter: 1.0,
        }
    }
}

impl HttpSettings {
    /// The defaults, overridden by the environment; a malformed value is an error naming it.
    pub fn from_env() -> Result<HttpSettings> {
        let mut settings = HttpSettings::default();
        if let Some(seconds) = number("RTRACK_HTTP_REQUEST_TIMEOUT")? {
            settings.timeout = Duration::from_secs_f64(seconds.max(0.001));
        }
        if let Some(retries) = number("RTRACK_HTTP_REQUEST_MAX_RETRIES")? {
            settings.max_retries = retries as u32;
        }
        if let Some(factor) = number("RTRACK_HTTP_REQUEST_BACKOFF_FACTOR")? {
            settings.backoff_factor = factor;
        }
        if let Some(jitter) = number("RTRACK_HTTP_REQUEST_BACKOFF_JITTER")? {
            settings.backoff_jitter = jitter;
        }
        Ok(settings)
    }

    /// How long to wait before retry number `retry` (1 for the first).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self.backoff_factor * 2f64.powi(retry.saturating_sub(1).min(30) as i32);
        let jitter = self.backoff_jitter * pseudo_random_fraction();
        Duration::from_secs_f64((exponential + jitter).max(0.0)).min(MAX_BACKOFF)
    }
}

fn number(name: &str) -> Result<Option<f64>> {
    let Some(text) = env_setting(name) else { return Ok(None) };
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(Some(value)),
        _ => Err(Error::invalid(format!(
            "Invalid value '{text}' for {name} (or its MLFLOW_ twin): expected a number of 0 or more"
        ))),
    }
}

/// A fraction in [0, 1) that differs between calls and processes; jitter needs no more.
fn pseudo_random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let settings = HttpSettings {
            backoff_jitter: 0.0,
            ..HttpSettings::default()
        };
        assert_eq!(settings.backoff(1), Duration::from_secs(2));
        assert_eq!(settings.backoff(3), Duration::from_secs(8));
        assert_eq!(settings.backoff(20), MAX_BACKOFF);
        let jittered = HttpSettings::default().backoff(1);
        assert!(
            jittered >= Duration::from_secs(2) && jittered < Duration::from_secs(3),
            "{jittered:?}"
        );
    }
}
