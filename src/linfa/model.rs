//! [`LinfaModel`]: one fitted linfa model of a kind rtrack can save, load and serve, with
//! the names of the features it was trained on.

use linfa::traits::Predict;
use linfa_elasticnet::ElasticNet;
use linfa_logistic::{FittedLogisticRegression, MultiFittedLogisticRegression};
use linfa_ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The fitted model inside a [`LinfaModel`], tagged by kind in the saved JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "fitted", rename_all = "snake_case")]
pub enum Fitted {
    /// Linear regression with L1 and L2 penalties (`linfa_elasticnet::ElasticNet`).
    ElasticNet(ElasticNet<f64>),
    /// Two-class logistic regression over integer labels.
    LogisticRegression(FittedLogisticRegression<f64, usize>),
    /// Multinomial (softmax) logistic regression over integer labels.
    MultinomialLogisticRegression(MultiFittedLogisticRegression<f64, usize>),
}

impl Fitted {
    /// The kind as written in the saved model and its `MLmodel` flavor.
    pub fn kind(&self) -> &'static str {
        match self {
            Fitted::ElasticNet(_) => "elastic_net",
            Fitted::LogisticRegression(_) => "logistic_regression",
            Fitted::MultinomialLogisticRegression(_) => "multinomial_logistic_regression",
        }
    }

    fn n_features(&self) -> usize {
        match self {
            Fitted::ElasticNet(model) => model.hyperplane().len(),
            Fitted::LogisticRegression(model) => model.params().len(),
            Fitted::MultinomialLogisticRegression(model) => model.params().nrows(),
        }
    }
}

/// A fitted linfa model rtrack can log, register, load back and predict with.
///
/// Predictions are `f64` for every kind (class labels as numbers), so one serving layer
/// answers for all of them.
///
/// ```
/// use rtrack::linfa::{linfa::prelude::*, linfa_elasticnet::ElasticNet, ndarray::array, LinfaModel};
///
/// let records = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0], [5.0, 0.0]];
/// let targets = array![2.0, 5.0, 6.0, 9.0, 10.0];
/// let fitted = ElasticNet::params().penalty(0.0).fit(&Dataset::new(records.clone(), targets))?;
/// let model = LinfaModel::from(fitted).with_feature_names(["size", "flag"]);
///
/// assert_eq!(model.kind(), "elastic_net");
/// let predicted = model.predict(records.view())?;
/// assert_eq!(predicted.len(), 5);
/// assert_eq!(model.predict_rows(&[vec![1.0, 0.0]])?, predicted[..1]);
/// assert!(model.predict(array![[1.0]].view()).is_err()); // one column, two features
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinfaModel {
    /// Column names, in the order the model reads them (empty when not known).
    #[serde(default)]
    pub feature_names: Vec<String>,
    /// The fitted model.
    #[serde(flatten)]
    pub fitted: Fitted,
}

impl From<ElasticNet<f64>> for LinfaModel {
    fn from(model: ElasticNet<f64>) -> Self {
        LinfaModel {
            feature_names: Vec::new(),
            fitted: Fitted::ElasticNet(model),
        }
    }
}

impl From<FittedLogisticRegression<f64, usize>> for LinfaModel {
    fn from(model: FittedLogisticRegression<f64, usize>) -> Self {
        LinfaModel {
            feature_names: Vec::new(),
            fitted: Fitted::LogisticRegression(model),
        }
    }
}

impl From<MultiFittedLogisticRegression<f64, usize>> for LinfaModel {
    fn from(model: MultiFittedLogisticRegression<f64, usize>) -> Self {
        LinfaModel {
            feature_names: Vec::new(),
            fitted: Fitted::MultinomialLogisticRegression(model),
        }
    }
}

impl LinfaModel {
    /// Name the features (e.g. a linfa `Dataset`'s `feature_names()`), for the model's
    /// signature and for column-named inputs when served.
    pub fn with_feature_names<S: ToString>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.feature_names = names.into_iter().map(|name| name.to_string()).collect();
        self
    }

    /// `elastic_net`, `logistic_regression` or `multinomial_logistic_regression`.
    pub fn kind(&self) -> &'static str {
        self.fitted.kind()
    }

    /// How many columns each input row must have.
    pub fn n_features(&self) -> usize {
        self.fitted.n_features()
    }

    /// Whether predictions are class labels (and [`class_scores`](Self::class_scores) exist).
    pub fn is_classifier(&self) -> bool {
        !matches!(self.fitted, Fitted::ElasticNet(_))
    }

    /// Names and count of features agree, or the saved model is not one rtrack should load.
    pub(crate) fn check(&self) -> Result<()> {
        if !self.feature_names.is_empty() && self.feature_names.len() != self.n_features() {
            return Err(Error::invalid(format!(
                "the {} model names {} features but was fitted on {}",
                self.kind(),
                self.feature_names.len(),
                self.n_features()
            )));
        }
        Ok(())
    }

    /// One prediction per row: the target for regressors, the class label for classifiers.
    pub fn predict(&self, rows: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.check_rows(rows)?;
        Ok(match &self.fitted {
            Fitted::ElasticNet(model) => model.predict(&rows).to_vec(),
            Fitted::LogisticRegression(model) => labels_as_numbers(model.predict(&rows).iter()),
            Fitted::MultinomialLogisticRegression(model) => labels_as_numbers(model.predict(&rows).iter()),
        })
    }

    /// [`predict`](Self::predict) for rows given as vectors (as a serving layer parses them).
    pub fn predict_rows(&self, rows: &[Vec<f64>]) -> Result<Vec<f64>> {
        self.predict(rows_to_array(rows, self.n_features())?.view())
    }

    /// For classifiers, the classes in ascending order and one probability per row and class
    /// (columns in that order, as rtrack's [`Scores::PerClass`](crate::metrics::Scores)
    /// expects); `None` for regressors.
    pub fn class_scores(&self, rows: ArrayView2<'_, f64>) -> Result<Option<(Vec<usize>, Array2<f64>)>> {
        self.check_rows(rows)?;
        Ok(match &self.fitted {
            Fitted::ElasticNet(_) => None,
            Fitted::LogisticRegression(model) => {
                let positive = model.predict_probabilities(&rows);
                let (pos, neg) = (model.labels().pos.class, model.labels().neg.class);
                let mut scores = Array2::zeros((rows.nrows(), 2));
                // Columns follow the sorted classes: the positive class may be either one.
                let pos_column = usize::from(pos > neg);
                for (row, p) in positive.iter().enumerate() {
                    scores[[row, pos_column]] = *p;
                    scores[[row, 1 - pos_column]] = 1.0 - p;
                }
                let mut classes = vec![pos, neg];
                classes.sort_unstable();
                Some((classes, scores))
            }
            // linfa keeps the classes sorted, so the columns are already in order.
            Fitted::MultinomialLogisticRegression(model) => {
                Some((model.classes().to_vec(), model.predict_probabilities(&rows)))
            }
        })
    }

    fn check_rows(&self, rows: ArrayView2<'_, f64>) -> Result<()> {
        let expected = self.n_features();
        if rows.ncols() != expected {
            return Err(Error::invalid(format!(
                "the {} model takes {expected} features per row ({}), the input has {} columns",
                self.kind(),
                self.describe_features(),
                rows.ncols()
            )));
        }
        if let Some(((row, column), value)) = rows.indexed_iter().find(|(_, value)| !value.is_finite()) {
            return Err(Error::invalid(format!(
                "input[{row}, {column}] is {value}: every value must be a finite number"
            )));
        }
        Ok(())
    }

    fn describe_features(&self) -> String {
        if self.feature_names.is_empty() {
            "unnamed".to_string()
        } else {
            self.feature_names.join(", ")
        }
    }
}

fn labels_as_numbers<'a>(labels: impl Iterator<Item = &'a usize>) -> Vec<f64> {
    labels.map(|label| *label as f64).collect()
}

/// Rows of equal length as a matrix, or an error naming the first row that is not.
pub(crate) fn rows_to_array(rows: &[Vec<f64>], n_features: usize) -> Result<Array2<f64>> {
    if let Some((index, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != n_features) {
        return Err(Error::invalid(format!(
            "row {index} has {} values, the model takes {n_features}",
            row.len()
        )));
    }
    let values = rows.iter().flatten().copied().collect();
    Array2::from_shape_vec((rows.len(), n_features), values).map_err(|e| Error::Internal(e.to_string()))
}
