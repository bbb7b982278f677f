//! Input checks shared by every metric, each failing with an error that names the argument.

use crate::error::{Error, Result};

/// Two columns that pair up sample by sample must be equally long and not empty.
pub(crate) fn paired(first: &str, first_len: usize, second: &str, second_len: usize) -> Result<()> {
    if first_len != second_len {
        return Err(Error::invalid(format!(
            "{first} and {second} have different lengths ({first_len} and {second_len})"
        )));
    }
    if first_len == 0 {
        return Err(Error::invalid(format!(
            "{first} and {second} are empty: a metric needs at least one sample"
        )));
    }
    Ok(())
}

/// Every value must be a number: NaN and infinities have no place in a score or a target.
pub(crate) fn finite(name: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    match values.into_iter().enumerate().find(|(_, value)| !value.is_finite()) {
        None => Ok(()),
        Some((index, value)) => Err(Error::invalid(format!(
            "{name}[{index}] is {value}: every value must be a finite number"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_match_and_not_be_zero() {
        assert!(paired("y_true", 3, "y_pred", 3).is_ok());
        let message = paired("y_true", 3, "y_pred", 2).unwrap_err().to_string();
        assert_eq!(message, "y_true and y_pred have different lengths (3 and 2)");
        let message = paired("y_true", 0, "y_pred", 0).unwrap_err().to_string();
        assert!(message.contains("empty"), "{message}");
    }

    #[test]
    fn nan_and_infinity_are_named_with_their_position() {
        assert!(finite("y_score", [0.0, -1.5, 3.0]).is_ok());
        let message = finite("y_score", [0.0, f64::NAN]).unwrap_err().to_string();
        assert_eq!(message, "y_score[1] is NaN: every value must be a finite number");
        let message = finite("y_pred", [f64::NEG_INFINITY]).unwrap_err().to_string();
        assert!(message.starts_with("y_pred[0] is -inf"), "{message}");
    }
}
