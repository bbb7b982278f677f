//! Class labels: the sorted set of classes a column holds, and float columns read as labels.

use crate::error::{Error, Result};

/// The distinct classes of one or more label columns, sorted, so a class's position is its
/// row and column in a confusion matrix and its column in a score matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classes<L>(Vec<L>);

impl<L: Ord + Clone> Classes<L> {
    pub(crate) fn of<'a>(columns: impl IntoIterator<Item = &'a [L]>) -> Classes<L>
    where
        L: 'a,
    {
        let mut classes: Vec<L> = columns.into_iter().flatten().cloned().collect();
        classes.sort_unstable();
        classes.dedup();
        Classes(classes)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Position of a class known to be among these (every label of the columns it came from).
    pub(crate) fn index(&self, label: &L) -> usize {
        self.0
            .binary_search(label)
            .expect("label taken from the columns the classes were built from")
    }

    pub(crate) fn as_slice(&self) -> &[L] {
        &self.0
    }

    pub(crate) fn into_vec(self) -> Vec<L> {
        self.0
    }
}

/// Labels stored as floats (`[0.0, 1.0, 1.0]`, as numpy often hands them over) read as
/// integers. A value with a fraction, NaN or an infinity is not a class label.
///
/// ```
/// use rtrack::metrics::integer_labels;
///
/// assert_eq!(integer_labels(&[0.0, 1.0, 2.0], "y_true")?, vec![0, 1, 2]);
/// assert!(integer_labels(&[0.5], "y_true").is_err());
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn integer_labels(values: &[f64], name: &str) -> Result<Vec<i64>> {
    // 2^53: past it, floats no longer hold every integer, so equal-looking labels could differ.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value.fract() == 0.0 && value.abs() <= EXACT {
                Ok(value as i64)
            } else {
                Err(Error::invalid(format!(
                    "{name}[{index}] is {value}, which is not a class label: labels must be integers or strings"
                )))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_the_sorted_union_of_the_columns() {
        let classes = Classes::of([&["b", "a"][..], &["c", "a"][..]]);
        assert_eq!(classes.as_slice(), &["a", "b", "c"]);
        assert_eq!(classes.index(&"c"), 2);
        assert_eq!(classes.len(), 3);
    }

    #[test]
    fn float_labels_must_be_whole_numbers() {
        assert_eq!(integer_labels(&[-1.0, 3.0], "y").unwrap(), vec![-1, 3]);
        let message = integer_labels(&[1.0, f64::NAN], "y_pred").unwrap_err().to_string();
        assert!(message.starts_with("y_pred[1] is NaN"), "{message}");
        assert!(integer_labels(&[f64::INFINITY], "y").is_err());
        assert!(integer_labels(&[1e300], "y").is_err());
    }
}
