//! ROC and precision-recall curves of one binary problem, with the thresholds
//! scikit-learn's `roc_curve` and `precision_recall_curve` return.

use serde::Serialize;

/// Cumulative counts at each distinct score, from the highest down: predicting positive for
/// every score `>= thresholds[i]` gives `false_positives[i]` and `true_positives[i]`. Tied
/// scores share one threshold, so a tie moves the curve diagonally, never in a staircase.
struct ThresholdCounts {
    false_positives: Vec<f64>,
    true_positives: Vec<f64>,
    thresholds: Vec<f64>,
}

impl ThresholdCounts {
    /// `scores` must be finite and as long as `positive`.
    fn new(positive: &[bool], scores: &[f64]) -> ThresholdCounts {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let mut counts = ThresholdCounts {
            false_positives: Vec::new(),
            true_positives: Vec::new(),
            thresholds: Vec::new(),
        };
        let (mut false_positives, mut true_positives) = (0u64, 0u64);
        for (rank, &sample) in order.iter().enumerate() {
            if positive[sample] {
                true_positives += 1;
            } else {
                false_positives += 1;
            }
            // `!=` rather than total_cmp: -0.0 and 0.0 are one threshold, as in numpy.
            let last_of_its_score = order.get(rank + 1).is_none_or(|&next| scores[next] != scores[sample]);
            if last_of_its_score {
                counts.false_positives.push(false_positives as f64);
                counts.true_positives.push(true_positives as f64);
                counts.thresholds.push(scores[sample]);
            }
        }
        counts
    }
}

/// A receiver operating characteristic curve: false positive rate against true positive rate
/// as the decision threshold falls. The first point is `(0, 0)` at threshold `+inf`; points
/// on a straight segment between others are left out (scikit-learn's `drop_intermediate`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocCurve {
    pub false_positive_rate: Vec<f64>,
    pub true_positive_rate: Vec<f64>,
    pub thresholds: Vec<f64>,
    /// The area under the curve, by the trapezoidal rule.
    pub auc: f64,
}

impl RocCurve {
    /// `positive` must hold both classes; `scores` must be finite and as long as `positive`.
    pub(crate) fn new(positive: &[bool], scores: &[f64]) -> RocCurve {
        let counts = ThresholdCounts::new(positive, scores);
        let kept = corners(&counts.false_positives, &counts.true_positives);
        let (negatives, positives) = (
            counts.false_positives[counts.false_positives.len() - 1],
            counts.true_positives[counts.true_positives.len() - 1],
        );
        let mut curve = RocCurve {
            false_positive_rate: vec![0.0],
            true_positive_rate: vec![0.0],
            thresholds: vec![f64::INFINITY],
            auc: 0.0,
        };
        for index in kept {
            curve
                .false_positive_rate
                .push(counts.false_positives[index] / negatives);
            curve.true_positive_rate.push(counts.true_positives[index] / positives);
            curve.thresholds.push(counts.thresholds[index]);
        }
        curve.auc = trapezoid_area(&curve.false_positive_rate, &curve.true_positive_rate);
        curve
    }
}

/// Indices of the points where the curve turns (plus the first and last): a point whose
/// neighbours' second difference is zero in both coordinates lies on a straight segment.
fn corners(x: &[f64], y: &[f64]) -> Vec<usize> {
    let last = x.len() - 1;
    (0..=last)
        .filter(|&i| {
            i == 0 || i == last || x[i - 1] - 2.0 * x[i] + x[i + 1] != 0.0 || y[i - 1] - 2.0 * y[i] + y[i + 1] != 0.0
        })
        .collect()
}

fn trapezoid_area(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum()
}

/// Precision against recall as the decision threshold rises, in scikit-learn's order: from
/// the lowest threshold (recall 1) to the highest, then the point (recall 0, precision 1),
/// which has no threshold. `thresholds` is one shorter than the two rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionRecallCurve {
    pub precision: Vec<f64>,
    pub recall: Vec<f64>,
    pub thresholds: Vec<f64>,
    /// Average precision: precision at each threshold weighted by the recall it adds (the
    /// step-wise area, not a trapezoid, as scikit-learn's `average_precision_score`).
    pub average_precision: f64,
}

impl PrecisionRecallCurve {
    /// `positive` must hold at least one positive; `scores` as for [`RocCurve::new`].
    pub(crate) fn new(positive: &[bool], scores: &[f64]) -> PrecisionRecallCurve {
        let counts = ThresholdCounts::new(positive, scores);
        let positives = counts.true_positives[counts.true_positives.len() - 1];
        let points = counts.thresholds.len();
        let mut curve = PrecisionRecallCurve {
            precision: Vec::with_capacity(points + 1),
            recall: Vec::with_capacity(points + 1),
            thresholds: Vec::with_capacity(points),
            average_precision: 0.0,
        };
        for index in (0..points).rev() {
            let (true_positives, false_positives) = (counts.true_positives[index], counts.false_positives[index]);
            curve
                .precision
                .push(true_positives / (true_positives + false_positives));
            curve.recall.push(true_positives / positives);
            curve.thresholds.push(counts.thresholds[index]);
        }
        curve.precision.push(1.0);
        curve.recall.push(0.0);
        let area: f64 = curve
            .recall
            .windows(2)
            .zip(&curve.precision)
            .map(|(recall, precision)| (recall[0] - recall[1]) * precision)
            .sum();
        curve.average_precision = area.max(0.0);
        curve
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_curve_of_a_small_ranking() {
        // Ranked by score: + (0.8), - (0.4), + (0.35), - (0.1).
        let curve = RocCurve::new(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]);
        assert_eq!(curve.false_positive_rate, [0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(curve.true_positive_rate, [0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(curve.thresholds, [f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
        assert_eq!(curve.auc, 0.75);
    }

    #[test]
    fn tied_scores_make_one_diagonal_step() {
        // One positive and one negative tie at 0.5: that pair counts half.
        let curve = RocCurve::new(&[true, false, true, false], &[0.9, 0.5, 0.5, 0.1]);
        assert_eq!(curve.false_positive_rate, [0.0, 0.0, 0.5, 1.0]);
        assert_eq!(curve.true_positive_rate, [0.0, 0.5, 1.0, 1.0]);
        assert_eq!(curve.auc, 0.875);
        // Every score tied: the chance line, area one half.
        let curve = RocCurve::new(&[true, false, false], &[0.3, 0.3, 0.3]);
        assert_eq!(curve.false_positive_rate, [0.0, 1.0]);
        assert_eq!(curve.auc, 0.5);
    }

    #[test]
    fn points_on_a_straight_segment_are_dropped() {
        // Three positives ranked first, then three negatives: counts (fp, tp) run (0, 1),
        // (0, 2), (0, 3), (1, 3), (2, 3), (3, 3); only the ends and the corner (0, 3) stay.
        let curve = RocCurve::new(
            &[true, true, true, false, false, false],
            &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        );
        assert_eq!(curve.false_positive_rate, [0.0, 0.0, 0.0, 1.0]);
        assert_eq!(curve.true_positive_rate, [0.0, 1.0 / 3.0, 1.0, 1.0]);
        assert_eq!(curve.thresholds, [f64::INFINITY, 6.0, 4.0, 1.0]);
        assert_eq!(curve.auc, 1.0);
    }

    #[test]
    fn precision_recall_curve_of_a_small_ranking() {
        let curve = PrecisionRecallCurve::new(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]);
        assert_eq!(curve.precision, [0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        assert_eq!(curve.recall, [1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(curve.thresholds, [0.1, 0.35, 0.4, 0.8]);
        // (1 - 1) * 0.5 + (1 - 0.5) * 2/3 + (0.5 - 0.5) * 0.5 + (0.5 - 0) * 1
        assert!((curve.average_precision - (1.0 / 3.0 + 0.5)).abs() < 1e-15);
    }
}
