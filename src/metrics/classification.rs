//! Label-based classification metrics: the confusion matrix, and accuracy, precision, recall
//! and F1 read off it, with ROC AUC added when scores are given.

use serde::Serialize;

use super::check;
use super::labels::Classes;
use super::scores::{roc_auc, Scores};
use crate::error::Result;

/// How often each class was predicted as each other class.
///
/// `counts[i][j]` is the number of samples of class `classes[i]` predicted as `classes[j]`
/// (rows are the truth, columns the prediction, as in scikit-learn). `classes` are the sorted
/// distinct labels of `y_true` and `y_pred` together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix<L> {
    pub classes: Vec<L>,
    pub counts: Vec<Vec<u64>>,
}

/// Count true against predicted labels.
///
/// ```
/// use rtrack::metrics::confusion_matrix;
///
/// let matrix = confusion_matrix(&["cat", "dog", "dog"], &["cat", "cat", "dog"])?;
/// assert_eq!(matrix.classes, ["cat", "dog"]);
/// assert_eq!(matrix.counts, [[1, 0], [1, 1]]);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn confusion_matrix<L: Ord + Clone>(y_true: &[L], y_pred: &[L]) -> Result<ConfusionMatrix<L>> {
    check::paired("y_true", y_true.len(), "y_pred", y_pred.len())?;
    let classes = Classes::of([y_true, y_pred]);
    let mut counts = vec![vec![0u64; classes.len()]; classes.len()];
    for (truth, prediction) in y_true.iter().zip(y_pred) {
        counts[classes.index(truth)][classes.index(prediction)] += 1;
    }
    Ok(ConfusionMatrix {
        classes: classes.into_vec(),
        counts,
    })
}

impl<L> ConfusionMatrix<L> {
    /// True positives, false positives and false negatives of the class at `index`.
    fn class_counts(&self, index: usize) -> (u64, u64, u64) {
        let true_positives = self.counts[index][index];
        let predicted: u64 = self.counts.iter().map(|row| row[index]).sum();
        let actual: u64 = self.counts[index].iter().sum();
        (true_positives, predicted - true_positives, actual - true_positives)
    }

    /// Precision, recall and F1 of one class; an undefined ratio (0/0) counts as 0, as
    /// scikit-learn's default `zero_division` does.
    fn class_scores(&self, index: usize) -> [f64; 3] {
        let (tp, fp, fn_) = self.class_counts(index);
        [
            ratio(tp, tp + fp),
            ratio(tp, tp + fn_),
            ratio(2 * tp, 2 * tp + fp + fn_),
        ]
    }

    fn accuracy(&self) -> f64 {
        let correct: u64 = (0..self.counts.len()).map(|i| self.counts[i][i]).sum();
        let total: u64 = self.counts.iter().flatten().sum();
        ratio(correct, total)
    }
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// The headline numbers of a classifier on one data set.
///
/// With at most two classes, precision, recall and F1 are those of the positive class, the
/// larger label (`1` of `{0, 1}`, `"yes"` of `{"no", "yes"}`), as scikit-learn's default
/// `average="binary"` gives for `{0, 1}`. With more classes they are macro averages: the plain
/// mean over every class seen in `y_true` or `y_pred`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassificationReport {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1_score: f64,
    /// Area under the ROC curve; present when scores were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roc_auc: Option<f64>,
}

impl ClassificationReport {
    /// The metrics as `(name, value)` pairs, ready for `log_metrics`.
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        let mut pairs = vec![
            ("accuracy", self.accuracy),
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1_score", self.f1_score),
        ];
        pairs.extend(self.roc_auc.map(|auc| ("roc_auc", auc)));
        pairs
    }
}

/// Accuracy, precision, recall and F1 of `y_pred` against `y_true`, and ROC AUC from
/// `y_score` when given (see [`Scores`] for its shape and [`roc_auc`] for how it is computed).
///
/// ```
/// use rtrack::metrics::{classification_report, Scores};
///
/// let y_true = [0, 0, 1, 1];
/// let y_pred = [0, 1, 1, 1];
/// let report = classification_report(&y_true, &y_pred, Some(Scores::from(&[0.1, 0.6, 0.7, 0.9][..])))?;
/// assert_eq!(report.accuracy, 0.75);
/// assert_eq!(report.precision, 2.0 / 3.0);
/// assert_eq!(report.recall, 1.0);
/// assert_eq!(report.f1_score, 0.8);
/// assert_eq!(report.roc_auc, Some(1.0));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn classification_report<L: Ord + Clone + std::fmt::Debug>(
    y_true: &[L],
    y_pred: &[L],
    y_score: Option<Scores<'_>>,
) -> Result<ClassificationReport> {
    let matrix = confusion_matrix(y_true, y_pred)?;
    let roc_auc = y_score.map(|scores| roc_auc(y_true, scores)).transpose()?;
    let classes = matrix.classes.len();
    let [precision, recall, f1_score] = if classes <= 2 {
        matrix.class_scores(classes - 1)
    } else {
        let mut sums = [0.0; 3];
        for index in 0..classes {
            for (sum, score) in sums.iter_mut().zip(matrix.class_scores(index)) {
                *sum += score;
            }
        }
        sums.map(|sum| sum / classes as f64)
    };
    Ok(ClassificationReport {
        accuracy: matrix.accuracy(),
        precision,
        recall,
        f1_score,
        roc_auc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_scores_are_those_of_the_larger_label() {
        // tp = 2 (rows 2, 3), fp = 1 (row 1), fn = 1 (row 4), tn = 1 (row 0).
        let report = classification_report(&[0, 0, 1, 1, 1], &[0, 1, 1, 1, 0], None).unwrap();
        assert_eq!(report.accuracy, 0.6);
        assert_eq!(report.precision, 2.0 / 3.0);
        assert_eq!(report.recall, 2.0 / 3.0);
        assert_eq!(report.f1_score, 4.0 / 6.0);
        assert_eq!(report.roc_auc, None);
        // Strings: "yes" > "no" is the positive class, whatever order the labels come in.
        let report = classification_report(&["yes", "no", "no"], &["yes", "yes", "no"], None).unwrap();
        assert_eq!((report.precision, report.recall), (0.5, 1.0));
    }

    #[test]
    fn multiclass_scores_are_macro_averages() {
        let y_true = ["a", "a", "b", "b", "c", "c"];
        let y_pred = ["a", "b", "b", "b", "a", "c"];
        let report = classification_report(&y_true, &y_pred, None).unwrap();
        // a: tp 1 fp 1 fn 1 -> P 1/2 R 1/2 F 1/2; b: tp 2 fp 1 fn 0 -> P 2/3 R 1 F 4/5;
        // c: tp 1 fp 0 fn 1 -> P 1 R 1/2 F 2/3.
        assert_eq!(report.accuracy, 4.0 / 6.0);
        assert!((report.precision - (0.5 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-15);
        assert!((report.recall - (0.5 + 1.0 + 0.5) / 3.0).abs() < 1e-15);
        assert!((report.f1_score - (0.5 + 0.8 + 2.0 / 3.0) / 3.0).abs() < 1e-15);
    }

    #[test]
    fn a_class_never_predicted_scores_zero_instead_of_dividing_by_zero() {
        let report = classification_report(&[0, 1, 2], &[0, 0, 0], None).unwrap();
        // Class 0: P 1/3 R 1 F 1/2; classes 1 and 2: never predicted, never right -> 0.
        assert!((report.precision - 1.0 / 9.0).abs() < 1e-15);
        assert!((report.recall - 1.0 / 3.0).abs() < 1e-15);
        assert!((report.f1_score - 1.0 / 6.0).abs() < 1e-15);
        let report = classification_report(&[0, 0], &[0, 0], None).unwrap();
        assert_eq!((report.accuracy, report.precision, report.f1_score), (1.0, 1.0, 1.0));
    }

    #[test]
    fn confusion_counts_rows_are_truth_columns_predictions() {
        let matrix = confusion_matrix(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2]).unwrap();
        assert_eq!(matrix.classes, [0, 1, 2]);
        assert_eq!(matrix.counts, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    }

    #[test]
    fn bad_inputs_are_refused_with_the_reason() {
        let empty: [i64; 0] = [];
        assert!(classification_report(&empty, &empty, None)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let message = classification_report(&[0, 1], &[0], None).unwrap_err().to_string();
        assert_eq!(message, "y_true and y_pred have different lengths (2 and 1)");
    }

    #[test]
    fn metrics_lists_roc_auc_only_when_computed() {
        let report = ClassificationReport {
            accuracy: 1.0,
            precision: 0.5,
            recall: 0.25,
            f1_score: 0.0,
            roc_auc: None,
        };
        let names: Vec<_> = report.metrics().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["accuracy", "precision", "recall", "f1_score"]);
        let with_auc = ClassificationReport {
            roc_auc: Some(0.7),
            ..report
        };
        assert_eq!(with_auc.metrics().last(), Some(&("roc_auc", 0.7)));
        assert_eq!(serde_json::to_value(report).unwrap().as_object().unwrap().len(), 4);
    }
}
