//! The on-disk encoding of a run of metric points (one `metric_chunks.data` blob).
//!
//! Columnar, so each column compresses on its own:
//! ```text
//! u8 version (=1) | u32 point count | steps column | timestamps column | values (f64 LE each)
//! integer column:  u8 0, i64 first, i64 stride           -- arithmetic progression (the usual case)
//!                  u8 1, zigzag varint first, then deltas -- anything else
//! ```
//! A point costs 8 bytes of value plus usually nothing for step and timestamp, a few bytes
//! when they are irregular. NaN and infinities survive because values are kept bit-exact.

use crate::entities::MetricSeries;
use crate::error::{Error, Result};

const VERSION: u8 = 1;
const ARITHMETIC: u8 = 0;
const DELTA_VARINT: u8 = 1;

/// Encode points `range` of a series (given as columns) into one blob.
pub fn encode(steps: &[i64], timestamps: &[i64], values: &[f64]) -> Vec<u8> {
    debug_assert!(steps.len() == values.len() && timestamps.len() == values.len());
    let mut out = Vec::with_capacity(5 + 34 + values.len() * 8);
    out.push(VERSION);
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    encode_integers(steps, &mut out);
    encode_integers(timestamps, &mut out);
    for value in values {
        out.extend_from_slice(&value.to_bits().to_le_bytes());
    }
    out
}

/// Decode a blob, appending its points to `series`.
pub fn decode_into(blob: &[u8], series: &mut MetricSeries) -> Result<()> {
    let mut reader = Reader { data: blob, pos: 0 };
    let version = reader.byte()?;
    if version != VERSION {
        return Err(Error::Internal(format!(
            "metric chunk has unknown encoding version {version}"
        )));
    }
    let count = u32::from_le_bytes(reader.take::<4>()?) as usize;
    decode_integers(&mut reader, count, &mut series.steps)?;
    decode_integers(&mut reader, count, &mut series.timestamps)?;
    series.values.reserve(count);
    for _ in 0..count {
        series
            .values
            .push(f64::from_bits(u64::from_le_bytes(reader.take::<8>()?)));
    }
    Ok(())
}

fn encode_integers(column: &[i64], out: &mut Vec<u8>) {
    let first = column.first().copied().unwrap_or(0);
    let stride = if column.len() > 1 {
        column[1].wrapping_sub(column[0])
    } else {
        0
    };
    let arithmetic = column.windows(2).all(|pair| pair[1].wrapping_sub(pair[0]) == stride);
    if arithmetic {
        out.push(ARITHMETIC);
        out.extend_from_slice(&first.to_le_bytes());
        out.extend_from_slice(&stride.to_le_bytes());
    } else {
        out.push(DELTA_VARINT);
        let mut previous = 0i64;
        for &value in column {
            write_varint(zigzag(value.wrapping_sub(previous)), out);
            previous = value;
        }
    }
}

fn decode_integers(reader: &mut Reader, count: usize, column: &mut Vec<i64>) -> Result<()> {
    column.reserve(count);
    match reader.byte()? {
        ARITHMETIC => {
            let first = i64::from_le_bytes(reader.take::<8>()?);
            let stride = i64::from_le_bytes(reader.take::<8>()?);
            column.extend((0..count as i64).map(|i| first.wrapping_add(stride.wrapping_mul(i))));
        }
        DELTA_VARINT => {
            let mut previous = 0i64;
            for _ in 0..count {
                previous = previous.wrapping_add(unzigzag(reader.varint()?));
                column.push(previous);
            }
        }
        other => return Err(Error::Internal(format!("metric chunk has unknown column kind {other}"))),
    }
    Ok(())
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn write_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn truncated() -> Error {
        Error::Internal("metric chunk is truncated".into())
    }

    fn byte(&mut self) -> Result<u8> {
        let byte = *self.data.get(self.pos).ok_or_else(Self::truncated)?;
        self.pos += 1;
        Ok(byte)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.data.get(self.pos..self.pos + N).ok_or_else(Self::truncated)?;
        self.pos += N;
        Ok(bytes.try_into().expect("slice of length N"))
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::Internal("metric chunk has an overlong varint".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(steps: Vec<i64>, timestamps: Vec<i64>, values: Vec<f64>) -> (usize, MetricSeries) {
        let blob = encode(&steps, &timestamps, &values);
        let mut decoded = MetricSeries::default();
        decode_into(&blob, &mut decoded).unwrap();
        assert_eq!(decoded.steps, steps);
        assert_eq!(decoded.timestamps, timestamps);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&decoded.values), bits(&values));
        (blob.len(), decoded)
    }

    #[test]
    fn regular_steps_cost_only_the_values() {
        let n = 1000;
        let (size, _) = round_trip(
            (0..n).collect(),
            vec![1_700_000_000_000; n as usize],
            (0..n).map(|i| i as f64 * 0.5).collect(),
        );
        assert!(size <= 8 * n as usize + 40, "{size}");
    }

    #[test]
    fn irregular_columns_and_special_values_survive() {
        round_trip(
            vec![5, 3, i64::MAX, i64::MIN, 0],
            vec![1_700_000_000_123, 1_700_000_000_100, 1_700_000_009_000, 0, -1],
            vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1e-300],
        );
    }

    #[test]
    fn empty_and_single_point_chunks() {
        round_trip(vec![], vec![], vec![]);
        round_trip(vec![7], vec![42], vec![3.5]);
    }

    #[test]
    fn truncated_blob_is_an_error_not_a_panic() {
        let blob = encode(&[1, 5, 2], &[1, 2, 3], &[1.0, 2.0, 3.0]);
        for cut in 0..blob.len() {
            assert!(decode_into(&blob[..cut], &mut MetricSeries::default()).is_err());
        }
    }
}
