//! Regression metrics: how far predictions fall from the truth.

use serde::Serialize;

use super::check;
use crate::error::Result;

/// The headline numbers of a regressor on one data set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegressionReport {
    /// Mean absolute error.
    pub mae: f64,
    /// Mean squared error.
    pub mse: f64,
    /// Root mean squared error, in the target's unit.
    pub rmse: f64,
    /// Coefficient of determination: 1 is perfect, 0 is no better than predicting the mean.
    /// With a constant `y_true` it is 1 for perfect predictions and 0 otherwise; with a
    /// single sample it is NaN (as scikit-learn's `r2_score`).
    pub r2: f64,
}

impl RegressionReport {
    /// The metrics as `(name, value)` pairs, ready for `log_metrics`.
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("mae", self.mae),
            ("mse", self.mse),
            ("rmse", self.rmse),
            ("r2", self.r2),
        ]
    }
}

/// Errors of `y_pred` against `y_true`.
///
/// ```
/// use rtrack::metrics::regression_report;
///
/// let report = regression_report(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0])?;
/// assert_eq!(report.mae, 0.5);
/// assert_eq!(report.mse, 0.375);
/// assert!((report.r2 - 0.948_608_137_044_967_9).abs() < 1e-15);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn regression_report(y_true: &[f64], y_pred: &[f64]) -> Result<RegressionReport> {
    check::paired("y_true", y_true.len(), "y_pred", y_pred.len())?;
    check::finite("y_true", y_true.iter().copied())?;
    check::finite("y_pred", y_pred.iter().copied())?;
    let samples = y_true.len() as f64;
    let (mut absolute, mut squared) = (0.0, 0.0);
    for (truth, prediction) in y_true.iter().zip(y_pred) {
        let error = truth - prediction;
        absolute += error.abs();
        squared += error * error;
    }
    let mean = y_true.iter().sum::<f64>() / samples;
    let spread: f64 = y_true.iter().map(|truth| (truth - mean) * (truth - mean)).sum();
    let r2 = if y_true.len() < 2 {
        f64::NAN
    } else if spread == 0.0 {
        if squared == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - squared / spread
    };
    let mse = squared / samples;
    Ok(RegressionReport {
        mae: absolute / samples,
        mse,
        rmse: mse.sqrt(),
        r2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_a_small_regression() {
        // Errors 1, -2, 1: |e| sums to 4, e^2 to 6; y_true's mean is 2, spread 1 + 0 + 1 = 2.
        let report = regression_report(&[1.0, 2.0, 3.0], &[0.0, 4.0, 2.0]).unwrap();
        assert_eq!(report.mae, 4.0 / 3.0);
        assert_eq!(report.mse, 2.0);
        assert_eq!(report.rmse, 2.0_f64.sqrt());
        assert_eq!(report.r2, 1.0 - 6.0 / 2.0);
        assert_eq!(report.metrics()[3], ("r2", -2.0));
    }

    #[test]
    fn constant_truth_and_single_samples_follow_scikit_learn() {
        assert_eq!(regression_report(&[2.0, 2.0], &[2.0, 2.0]).unwrap().r2, 1.0);
        assert_eq!(regression_report(&[2.0, 2.0], &[2.0, 3.0]).unwrap().r2, 0.0);
        let single = regression_report(&[2.0], &[3.0]).unwrap();
        assert!(single.r2.is_nan());
        assert_eq!(single.mae, 1.0);
    }

    #[test]
    fn bad_inputs_are_refused_with_the_reason() {
        let message = regression_report(&[1.0, f64::NAN], &[1.0, 2.0])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("y_true[1] is NaN"), "{message}");
        let message = regression_report(&[1.0], &[f64::INFINITY]).unwrap_err().to_string();
        assert!(message.starts_with("y_pred[0] is inf"), "{message}");
        assert!(regression_report(&[], &[]).unwrap_err().to_string().contains("empty"));
        let message = regression_report(&[1.0, 2.0], &[1.0]).unwrap_err().to_string();
        assert_eq!(message, "y_true and y_pred have different lengths (2 and 1)");
    }
}
