//! Numbers, durations and times as a reader wants them in a table cell.

/// A metric or param value with about four significant digits: enough to compare runs at a
/// glance without a wall of decimals. Whole numbers keep all their digits; very large and
/// very small magnitudes switch to scientific notation. The exact value goes in a tooltip
/// ([`exact`]).
///
/// ```
/// use rtrack::display::format::number;
/// assert_eq!(number(0.712345), "0.7123");
/// assert_eq!(number(12.0), "12");
/// assert_eq!(number(1234.567), "1235");
/// assert_eq!(number(0.00001234), "1.234e-5");
/// assert_eq!(number(f64::NAN), "NaN");
/// ```
pub fn number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let magnitude = value.abs();
    if value.fract() == 0.0 && magnitude < 1e15 {
        return format!("{value:.0}");
    }
    if !(1e-3..1e6).contains(&magnitude) {
        return trim_exponent(&format!("{value:.3e}"));
    }
    let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
    trim_zeros(format!("{value:.decimals$}"))
}

/// Every digit Rust needs to give the value back exactly.
pub fn exact(value: f64) -> String {
    format!("{value}")
}

/// "1.230e-5" -> "1.23e-5": trailing zeros of the mantissa say nothing.
fn trim_exponent(text: &str) -> String {
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa.to_string())),
        None => text.to_string(),
    }
}

fn trim_zeros(mut text: String) -> String {
    if text.contains('.') {
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    text
}

/// A span of milliseconds in the two largest units that matter: "850 ms", "12.3 s",
/// "4 min 05 s", "2 h 03 min", "3 d 4 h".
pub fn duration(millis: i64) -> String {
    let millis = millis.max(0);
    let seconds = millis / 1000;
    match millis {
        0..1_000 => format!("{millis} ms"),
        1_000..60_000 => format!("{:.1} s", millis as f64 / 1000.0),
        60_000..3_600_000 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        3_600_000..86_400_000 => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} d {} h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

/// Epoch milliseconds as "YYYY-MM-DD HH:MM:SS" in UTC (no time zone database needed, and
/// the same text for every reader of a saved notebook).
pub fn timestamp(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01. Counts in 400-year eras (146,097
/// days each), with years starting in March so the leap day falls at the end of a year.
fn civil_date(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-0.712345), "-0.7123");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(999.96), "1000");
        assert_eq!(number(0.001234), "0.001234");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(123456789.0), "123456789");
        assert_eq!(number(1234567.8), "1.235e6");
        assert_eq!(number(2e-7), "2e-7");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NEG_INFINITY), "-inf");
        assert_eq!(exact(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn durations_use_the_two_largest_units() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(245_000), "4 min 05 s");
        assert_eq!(duration(7_380_000), "2 h 03 min");
        assert_eq!(duration(273_600_000), "3 d 4 h");
        assert_eq!(duration(-5), "0 ms", "clock skew never shows a negative span");
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(timestamp(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(timestamp(1_709_251_199_000), "2024-02-29 23:59:59");
        assert_eq!(timestamp(1_714_565_045_123), "2024-05-01 12:04:05");
        assert_eq!(timestamp(-1_000), "1969-12-31 23:59:59");
    }
}
