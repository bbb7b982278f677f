//! Classifier scores, and the one-vs-rest binary problems ROC and precision-recall curves
//! are drawn from.

use std::fmt::Debug;

use ndarray::ArrayView2;

use super::check;
use super::curves::{PrecisionRecallCurve, RocCurve};
use super::labels::Classes;
use crate::error::{Error, Result};

/// A classifier's scores for each sample (probabilities, or any value that ranks samples).
#[derive(Debug, Clone, Copy)]
pub enum Scores<'a> {
    /// One score per sample, for the positive class (the larger of `y_true`'s two labels).
    Positive(&'a [f64]),
    /// One row per sample and one column per class, the columns in the sorted order of the
    /// classes of `y_true` (as `predict_proba` orders `classes_`). With two classes only the
    /// second column, the positive class's, is used.
    PerClass(ArrayView2<'a, f64>),
}

impl<'a> From<&'a [f64]> for Scores<'a> {
    fn from(scores: &'a [f64]) -> Self {
        Scores::Positive(scores)
    }
}

impl<'a> From<ArrayView2<'a, f64>> for Scores<'a> {
    fn from(scores: ArrayView2<'a, f64>) -> Self {
        Scores::PerClass(scores)
    }
}

/// One class against all the others: which samples are of the class, and their scores for it.
struct OneVersusRest<L> {
    class: L,
    is_class: Vec<bool>,
    scores: Vec<f64>,
}

/// The binary problems behind the curves: one for two classes (the larger label is the
/// positive one), one per class for more.
fn one_versus_rest<L: Ord + Clone + Debug>(y_true: &[L], y_score: Scores<'_>) -> Result<Vec<OneVersusRest<L>>> {
    let rows = match y_score {
        Scores::Positive(scores) => scores.len(),
        Scores::PerClass(scores) => scores.nrows(),
    };
    check::paired("y_true", y_true.len(), "y_score", rows)?;
    match y_score {
        Scores::Positive(scores) => check::finite("y_score", scores.iter().copied())?,
        Scores::PerClass(scores) => {
            if let Some(((row, column), value)) = scores.indexed_iter().find(|(_, value)| !value.is_finite()) {
                return Err(Error::invalid(format!(
                    "y_score[{row}, {column}] is {value}: every value must be a finite number"
                )));
            }
        }
    }
    let classes = Classes::of([y_true]);
    if classes.len() < 2 {
        return Err(Error::invalid(format!(
            "y_true holds one class only ({:?}): ROC AUC and its curves need samples of at least two classes",
            classes.as_slice()[0]
        )));
    }
    let binary = |class: &L, scores: Vec<f64>| OneVersusRest {
        class: class.clone(),
        is_class: y_true.iter().map(|label| label == class).collect(),
        scores,
    };
    let classes = classes.as_slice();
    match y_score {
        Scores::Positive(scores) if classes.len() == 2 => Ok(vec![binary(&classes[1], scores.to_vec())]),
        Scores::Positive(_) => Err(Error::invalid(format!(
            "y_score has one score per sample but y_true holds {} classes: give a matrix with one column per class",
            classes.len()
        ))),
        Scores::PerClass(scores) if scores.ncols() != classes.len() => Err(Error::invalid(format!(
            "y_score has {} columns but y_true holds {} classes ({classes:?}): give one column per class, in sorted order",
            scores.ncols(),
            classes.len()
        ))),
        Scores::PerClass(scores) if classes.len() == 2 => Ok(vec![binary(&classes[1], scores.column(1).to_vec())]),
        Scores::PerClass(scores) => {
            Ok(classes.iter().enumerate().map(|(column, class)| binary(class, scores.column(column).to_vec())).collect())
        }
    }
}

/// The ROC curve of each binary problem in `y_score`: one, of the positive class, for two
/// classes; one per class (that class against the rest) for more.
///
/// ```
/// use rtrack::metrics::{roc_curves, Scores};
///
/// let curves = roc_curves(&["no", "no", "yes", "yes"], Scores::from(&[0.1, 0.4, 0.35, 0.8][..]))?;
/// let (class, curve) = &curves[0];
/// assert_eq!(*class, "yes");
/// assert_eq!(curve.true_positive_rate, [0.0, 0.5, 0.5, 1.0, 1.0]);
/// assert_eq!(curve.auc, 0.75);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn roc_curves<L: Ord + Clone + Debug>(y_true: &[L], y_score: Scores<'_>) -> Result<Vec<(L, RocCurve)>> {
    Ok(one_versus_rest(y_true, y_score)?
        .into_iter()
        .map(|problem| {
            let curve = RocCurve::new(&problem.is_class, &problem.scores);
            (problem.class, curve)
        })
        .collect())
}

/// The precision-recall curve of each binary problem, as [`roc_curves`] gives ROC curves.
pub fn precision_recall_curves<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_score: Scores<'_>,
) -> Result<Vec<(L, PrecisionRecallCurve)>> {
    Ok(one_versus_rest(y_true, y_score)?
        .into_iter()
        .map(|problem| {
            let curve = PrecisionRecallCurve::new(&problem.is_class, &problem.scores);
            (problem.class, curve)
        })
        .collect())
}

/// Area under the ROC curve: of the positive class for two classes; for more, the plain
/// mean over classes of each class against the rest (scikit-learn's `multi_class="ovr"`,
/// `average="macro"`). Tied scores count half, as the trapezoid between distinct thresholds
/// gives. Scores need not be probabilities.
///
/// ```
/// use ndarray::array;
/// use rtrack::metrics::{roc_auc, Scores};
///
/// assert_eq!(roc_auc(&[0, 1, 0, 1], Scores::from(&[0.9, 0.5, 0.5, 0.1][..]))?, 0.125);
/// let per_class = array![[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]];
/// assert_eq!(roc_auc(&[0, 1, 2], Scores::from(per_class.view()))?, 1.0);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn roc_auc<L: Ord + Clone + Debug>(y_true: &[L], y_score: Scores<'_>) -> Result<f64> {
    let curves = roc_curves(y_true, y_score)?;
    Ok(curves.iter().map(|(_, curve)| curve.auc).sum::<f64>() / curves.len() as f64)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn two_classes_give_one_problem_for_the_larger_label() {
        let curves = roc_curves(&[1, 2, 2], Scores::from(&[0.3, 0.2, 0.9][..])).unwrap();
        assert_eq!(curves.len(), 1);
        assert_eq!(curves[0].0, 2);
        assert_eq!(curves[0].1.auc, 0.5);
        // A two-column matrix reads its second column, the positive class's.
        let matrix = array![[0.7, 0.3], [0.8, 0.2], [0.1, 0.9]];
        assert_eq!(roc_auc(&[1, 2, 2], Scores::from(matrix.view())).unwrap(), 0.5);
    }

    #[test]
    fn multiclass_auc_is_the_mean_of_one_versus_rest() {
        let y_true = ["a", "b", "c", "a"];
        let scores = array![[0.5, 0.3, 0.2], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8]];
        // a (rows 0, 3) vs rest by column 0: 0.5 beats 0.2, loses to 0.6; 0.1 loses to both -> 1/4.
        // b (row 1) vs rest by column 1: 0.3 beats 0.2 and 0.1, ties 0.3 -> 2.5/3.
        // c (row 2) vs rest by column 2: 0.6 beats 0.2 and 0.1, loses to 0.8 -> 2/3.
        let auc = roc_auc(&y_true, Scores::from(scores.view())).unwrap();
        assert!((auc - (0.25 + 2.5 / 3.0 + 2.0 / 3.0) / 3.0).abs() < 1e-15, "{auc}");
        let curves = precision_recall_curves(&y_true, Scores::from(scores.view())).unwrap();
        let classes: Vec<_> = curves.iter().map(|(class, _)| *class).collect();
        assert_eq!(classes, ["a", "b", "c"]);
    }

    #[test]
    fn scores_that_cannot_be_ranked_are_refused() {
        let message = roc_auc(&[1, 1, 1], Scores::from(&[0.1, 0.2, 0.3][..]))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("y_true holds one class only (1)"), "{message}");
        let message = roc_auc(&[0, 1], Scores::from(&[0.1, f64::NAN][..]))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("y_score[1] is NaN"), "{message}");
        let message = roc_auc(&[0, 1, 2], Scores::from(&[0.1, 0.2, 0.3][..]))
            .unwrap_err()
            .to_string();
        assert!(message.contains("holds 3 classes"), "{message}");
        let two_columns = array![[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]];
        let message = roc_auc(&[0, 1, 2], Scores::from(two_columns.view()))
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("y_score has 2 columns but y_true holds 3 classes"),
            "{message}"
        );
        let message = roc_auc(&[0, 1], Scores::from(&[0.1][..])).unwrap_err().to_string();
        assert_eq!(message, "y_true and y_score have different lengths (2 and 1)");
        let with_nan = array![[0.5, 0.5], [0.5, f64::NAN]];
        let message = roc_auc(&[0, 1], Scores::from(with_nan.view())).unwrap_err().to_string();
        assert!(message.starts_with("y_score[1, 1] is NaN"), "{message}");
    }
}
