//! Thinning a long metric history to what a chart can show without losing its shape: the
//! points inside an x range are cut into equal buckets and each bucket keeps its lowest and
//! highest value, so spikes and dips survive at any zoom.

use crate::entities::MetricSeries;

/// Which coordinate of a point is the chart's x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XAxis {
    Step,
    /// Milliseconds since the epoch (relative time is this minus the run's start).
    Timestamp,
}

/// A history reduced for drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downsampled {
    /// The points kept, in the history's order (step, then timestamp).
    pub series: MetricSeries,
    /// How many points lie inside the requested range before thinning.
    pub points_in_range: usize,
    /// How many points the whole history has.
    pub total_points: usize,
}

impl Downsampled {
    /// Whether points were dropped (the chart should fetch detail when zoomed).
    pub fn is_thinned(&self) -> bool {
        self.series.len() < self.points_in_range
    }
}

/// The points of `series` whose x lies in `[x_min, x_max]` (either bound optional), reduced
/// to at most `max_points` by keeping the minimum and maximum of each bucket.
///
/// ```
/// use rtrack::downsample::{downsample, XAxis};
/// use rtrack::MetricSeries;
///
/// let steps: Vec<i64> = (0..1_000_000).collect();
/// let mut values: Vec<f64> = steps.iter().map(|s| (*s as f64 / 1000.0).sin()).collect();
/// values[500_000] = 42.0; // one spike among a million points
/// let series = MetricSeries { timestamps: steps.clone(), steps, values };
/// let chart = downsample(&series, XAxis::Step, None, None, 1000);
/// assert!(chart.series.len() <= 1000);
/// assert!(chart.series.values.contains(&42.0)); // the spike is still drawn
/// ```
pub fn downsample(
    series: &MetricSeries,
    axis: XAxis,
    x_min: Option<f64>,
    x_max: Option<f64>,
    max_points: usize,
) -> Downsampled {
    let xs: &[i64] = match axis {
        XAxis::Step => &series.steps,
        XAxis::Timestamp => &series.timestamps,
    };
    let in_range = |x: i64| x_min.is_none_or(|min| x as f64 >= min) && x_max.is_none_or(|max| x as f64 <= max);
    let selected: Vec<usize> = (0..series.len()).filter(|&i| in_range(xs[i])).collect();
    let points_in_range = selected.len();
    let max_points = max_points.max(2);
    let kept = if points_in_range <= max_points {
        selected
    } else {
        extremes_per_bucket(&selected, &series.values, max_points / 2)
    };
    let mut out = MetricSeries::default();
    for i in kept {
        out.steps.push(series.steps[i]);
        out.values.push(series.values[i]);
        out.timestamps.push(series.timestamps[i]);
    }
    Downsampled {
        series: out,
        points_in_range,
        total_points: series.len(),
    }
}

/// For each of `buckets` equal slices of `indices`, the indices of its lowest and highest
/// value (NaN counts as neither unless the slice holds nothing else), in their original order.
fn extremes_per_bucket(indices: &[usize], values: &[f64], buckets: usize) -> Vec<usize> {
    let mut kept = Vec::with_capacity(buckets * 2);
    let size = indices.len() as f64 / buckets as f64;
    for bucket in 0..buckets {
        let start = (bucket as f64 * size) as usize;
        let end = (((bucket + 1) as f64 * size) as usize).min(indices.len());
        if start >= end {
            continue;
        }
        let slice = &indices[start..end];
        let (mut low, mut high) = (slice[0], slice[0]);
        for &i in slice {
            let value = values[i];
            if values[low].is_nan() || value < values[low] {
                low = i;
            }
            if values[high].is_nan() || value > values[high] {
                high = i;
            }
        }
        kept.push(low.min(high));
        if low != high {
            kept.push(low.max(high));
        }
    }
    kept
}

/// A point as a chart keeps it: step, value, timestamp.
type Point = (i64, f64, i64);

/// [`downsample`] over a history read in slices, so a long history never sits in memory
/// whole: feed every slice to [`count`](Self::count), then every slice again, in the same
/// order, to [`keep`](Self::keep), then call [`finish`](Self::finish). Keeps the same points.
pub struct SliceDownsampler {
    axis: XAxis,
    x_min: Option<f64>,
    x_max: Option<f64>,
    max_points: usize,
    points_in_range: usize,
    total_points: usize,
    /// Second pass: in-range points seen so far, the current bucket and the rank past it.
    rank: usize,
    bucket: usize,
    bucket_end: usize,
    /// The current bucket's lowest and highest point, each with its rank.
    low: Option<(usize, Point)>,
    high: Option<(usize, Point)>,
    out: MetricSeries,
}

impl SliceDownsampler {
    pub fn new(axis: XAxis, x_min: Option<f64>, x_max: Option<f64>, max_points: usize) -> SliceDownsampler {
        SliceDownsampler {
            axis,
            x_min,
            x_max,
            max_points: max_points.max(2),
            points_in_range: 0,
            total_points: 0,
            rank: 0,
            bucket: 0,
            bucket_end: 0,
            low: None,
            high: None,
            out: MetricSeries::default(),
        }
    }

    fn in_range(&self, slice: &MetricSeries, i: usize) -> bool {
        let x = match self.axis {
            XAxis::Step => slice.steps[i],
            XAxis::Timestamp => slice.timestamps[i],
        } as f64;
        self.x_min.is_none_or(|min| x >= min) && self.x_max.is_none_or(|max| x <= max)
    }

    /// First pass: count the points, and those in range.
    pub fn count(&mut self, slice: &MetricSeries) {
        self.total_points += slice.len();
        self.points_in_range += (0..slice.len()).filter(|&i| self.in_range(slice, i)).count();
    }

    /// Points counted by the first pass: the second must see exactly these.
    pub fn total_points(&self) -> usize {
        self.total_points
    }

    fn buckets(&self) -> usize {
        self.max_points / 2
    }

    /// The rank just past `bucket`, cut as [`extremes_per_bucket`] cuts them.
    fn end_of(&self, bucket: usize) -> usize {
        let size = self.points_in_range as f64 / self.buckets() as f64;
        (((bucket + 1) as f64 * size) as usize).min(self.points_in_range)
    }

    /// Second pass: keep each bucket's extremes, or every point in range when few enough.
    pub fn keep(&mut self, slice: &MetricSeries) {
        let thinning = self.points_in_range > self.max_points;
        for i in 0..slice.len() {
            if !self.in_range(slice, i) {
                continue;
            }
            let point = (slice.steps[i], slice.values[i], slice.timestamps[i]);
            if !thinning {
                self.push(point);
                continue;
            }
            if self.rank == 0 {
                self.bucket_end = self.end_of(0);
            }
            while self.rank >= self.bucket_end && self.bucket < self.buckets() {
                self.close_bucket();
                self.bucket += 1;
                self.bucket_end = self.end_of(self.bucket);
            }
            if self.bucket < self.buckets() {
                self.consider(point);
            }
            self.rank += 1;
        }
    }

    fn consider(&mut self, point: Point) {
        let rank = self.rank;
        match (self.low, self.high) {
            (Some((_, low)), Some((_, high))) => {
                if low.1.is_nan() || point.1 < low.1 {
                    self.low = Some((rank, point));
                }
                if high.1.is_nan() || point.1 > high.1 {
                    self.high = Some((rank, point));
                }
            }
            _ => {
                self.low = Some((rank, point));
                self.high = Some((rank, point));
            }
        }
    }

    /// Emit the current bucket's extremes in their original order.
    fn close_bucket(&mut self) {
        if let (Some(low), Some(high)) = (self.low.take(), self.high.take()) {
            let (first, second) = if low.0 <= high.0 { (low, high) } else { (high, low) };
            self.push(first.1);
            if second.0 != first.0 {
                self.push(second.1);
            }
        }
    }

    fn push(&mut self, (step, value, timestamp): Point) {
        self.out.steps.push(step);
        self.out.values.push(value);
        self.out.timestamps.push(timestamp);
    }

    /// The thinned history.
    pub fn finish(mut self) -> Downsampled {
        self.close_bucket();
        Downsampled {
            series: self.out,
            points_in_range: self.points_in_range,
            total_points: self.total_points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<f64>) -> MetricSeries {
        let steps: Vec<i64> = (0..values.len() as i64).collect();
        MetricSeries {
            timestamps: steps.iter().map(|s| 1000 + s * 10).collect(),
            steps,
            values,
        }
    }

    #[test]
    fn short_histories_come_back_whole() {
        let history = series(vec![1.0, 2.0, 3.0]);
        let chart = downsample(&history, XAxis::Step, None, None, 100);
        assert_eq!(chart.series, history);
        assert!(!chart.is_thinned());
    }

    #[test]
    fn each_bucket_keeps_its_lowest_and_highest_point_in_order() {
        let history = series(vec![5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0, 4.0]);
        let chart = downsample(&history, XAxis::Step, None, None, 4);
        // Two buckets of four: [5,1,9,3] keeps 1 (step 1) and 9 (step 2); [7,2,8,4] keeps 2 and 8.
        assert_eq!(chart.series.steps, vec![1, 2, 5, 6]);
        assert_eq!(chart.series.values, vec![1.0, 9.0, 2.0, 8.0]);
        assert!(chart.is_thinned());
        assert_eq!((chart.points_in_range, chart.total_points), (8, 8));
    }

    #[test]
    fn a_range_selects_by_step_or_by_time() {
        let history = series((0..100).map(f64::from).collect());
        let by_step = downsample(&history, XAxis::Step, Some(10.0), Some(19.0), 1000);
        assert_eq!(by_step.series.steps, (10..20).collect::<Vec<_>>());
        let by_time = downsample(&history, XAxis::Timestamp, Some(1500.0), None, 1000);
        assert_eq!(by_time.series.steps.first(), Some(&50));
        assert_eq!(by_time.points_in_range, 50);
    }

    #[test]
    fn nan_does_not_hide_real_extremes() {
        let history = series(vec![f64::NAN, 3.0, -1.0, f64::NAN]);
        let chart = downsample(&history, XAxis::Step, None, None, 2);
        assert_eq!(chart.series.values, vec![3.0, -1.0]);
    }

    #[test]
    fn thinning_slice_by_slice_keeps_the_same_points_as_thinning_the_whole() {
        let values: Vec<f64> = (0..50_003)
            .map(|i| match i % 997 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                _ => ((i * 7919) % 1013) as f64 - 500.0,
            })
            .collect();
        let history = series(values);
        for (x_min, x_max, max_points) in [
            (None, None, 1000),
            (None, None, 3),
            (Some(100.0), Some(40_000.0), 777),
            (Some(10.0), Some(20.0), 100),
            (None, None, 100_000),
        ] {
            let whole = downsample(&history, XAxis::Step, x_min, x_max, max_points);
            let mut sliced = SliceDownsampler::new(XAxis::Step, x_min, x_max, max_points);
            let slices: Vec<MetricSeries> = (0..history.len())
                .step_by(4096)
                .map(|start| history.slice(start..(start + 4096).min(history.len())))
                .collect();
            slices.iter().for_each(|slice| sliced.count(slice));
            slices.iter().for_each(|slice| sliced.keep(slice));
            let sliced = sliced.finish();
            assert_eq!(
                sliced.series.steps, whole.series.steps,
                "{x_min:?}..{x_max:?} to {max_points}"
            );
            assert_eq!(
                (sliced.points_in_range, sliced.total_points),
                (whole.points_in_range, whole.total_points)
            );
        }
    }
}
