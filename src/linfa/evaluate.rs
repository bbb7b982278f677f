//! A linfa model scored on held-out data with rtrack's own metrics, ready to log.

use linfa_ndarray::ArrayView2;

use super::model::LinfaModel;
use crate::error::{Error, Result};
use crate::metrics::{classification_report, regression_report, ClassificationReport, RegressionReport, Scores};

impl LinfaModel {
    /// RMSE, MAE, R² (and the rest of [`RegressionReport`]) of the model's predictions for
    /// `rows` against `targets`.
    ///
    /// ```
    /// use rtrack::linfa::{linfa::prelude::*, linfa_elasticnet::ElasticNet, ndarray::array, LinfaModel};
    /// use rtrack::metrics::regression_report;
    ///
    /// let records = array![[1.0], [2.0], [3.0], [4.0]];
    /// let targets = [2.0, 4.1, 5.9, 8.0];
    /// let model = LinfaModel::from(ElasticNet::params().fit(&Dataset::new(records.clone(), array![2.0, 4.1, 5.9, 8.0]))?);
    /// let report = model.evaluate_regression(records.view(), &targets)?;
    /// assert_eq!(report, regression_report(&targets, &model.predict(records.view())?)?);
    /// // run.log_metrics(report.metrics(), 0)? logs rmse, mae, r2, ...
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_regression(&self, rows: ArrayView2<'_, f64>, targets: &[f64]) -> Result<RegressionReport> {
        if self.is_classifier() {
            return Err(Error::invalid(format!(
                "the {} model is a classifier: use evaluate_classification",
                self.kind()
            )));
        }
        regression_report(targets, &self.predict(rows)?)
    }

    /// Accuracy, precision, recall, F1 and ROC AUC (from the model's class probabilities) of
    /// the model's predictions for `rows` against the true `labels`.
    pub fn evaluate_classification(&self, rows: ArrayView2<'_, f64>, labels: &[usize]) -> Result<ClassificationReport> {
        let Some((classes, scores)) = self.class_scores(rows)? else {
            return Err(Error::invalid(format!(
                "the {} model is a regressor: use evaluate_regression",
                self.kind()
            )));
        };
        let predicted: Vec<usize> = self.predict(rows)?.iter().map(|label| *label as usize).collect();
        // ROC AUC needs one score column per class of `labels`, in sorted order; when the
        // held-out labels miss a class the model knows, the scores cannot be lined up.
        let mut present = labels.to_vec();
        present.sort_unstable();
        present.dedup();
        let standard = scores.as_standard_layout();
        let values = standard.as_slice().expect("standard layout");
        let scores =
            ndarray::ArrayView2::from_shape(scores.dim(), values).map_err(|e| Error::Internal(e.to_string()))?;
        let scores = (present == classes).then_some(Scores::PerClass(scores));
        classification_report(labels, &predicted, scores)
    }
}
