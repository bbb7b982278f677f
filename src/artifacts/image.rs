//! PNG encoding for `log_image`: pixels arrive as 8-bit rows from the Python layer (numpy
//! arrays) or from Rust callers, and leave as PNG bytes ready for `write_file`.

use crate::error::{Error, Result};

/// Encode 8-bit pixels, row by row, `channels` bytes per pixel: 1 grayscale, 2 gray + alpha,
/// 3 RGB, 4 RGBA (numpy's `(height, width[, channels])` layout, C order).
pub fn encode_png(pixels: &[u8], height: u32, width: u32, channels: u8) -> Result<Vec<u8>> {
    let color = match channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        other => {
            return Err(Error::invalid(format!(
                "Invalid image: {other} channels, expected 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)"
            )))
        }
    };
    if height == 0 || width == 0 {
        return Err(Error::invalid(format!("Invalid image: size {height}x{width} is empty")));
    }
    let expected = (height as u64) * (width as u64) * (channels as u64);
    if pixels.len() as u64 != expected {
        return Err(Error::invalid(format!(
            "Invalid image: {} pixel bytes, but {height} rows x {width} columns x {channels} channels needs {expected}",
            pixels.len()
        )));
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let internal = |e: png::EncodingError| Error::Internal(format!("PNG encoding failed: {e}"));
    let mut writer = encoder.write_header().map_err(internal)?;
    writer.write_image_data(pixels).map_err(internal)?;
    writer.finish().map_err(internal)?;
    Ok(out)
}

/// Map float pixels in [0, 1] to bytes the way MLflow does (`value * 255`, truncated), so the
/// same image logged by either tool has the same pixels. A value outside [0, 1] (or NaN) is an
/// error naming it and its position, as MLflow refuses such images too.
pub fn float_pixels_to_u8(values: &[f64]) -> Result<Vec<u8>> {
    values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if (0.0..=1.0).contains(&value) {
                Ok((value * 255.0) as u8)
            } else {
                Err(Error::invalid(format!(
                    "Invalid image: float pixel values must be in [0, 1], found {value} at position {index}"
                )))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (png::ColorType, u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buffer).unwrap();
        buffer.truncate(info.buffer_size());
        (info.color_type, info.height, info.width, buffer)
    }

    #[test]
    fn every_channel_count_round_trips() {
        let (height, width) = (3u32, 5u32);
        for (channels, color) in [
            (1, png::ColorType::Grayscale),
            (2, png::ColorType::GrayscaleAlpha),
            (3, png::ColorType::Rgb),
            (4, png::ColorType::Rgba),
        ] {
            let pixels: Vec<u8> = (0..height * width * channels as u32)
                .map(|i| (i * 37 % 256) as u8)
                .collect();
            let encoded = encode_png(&pixels, height, width, channels).unwrap();
            assert_eq!(&encoded[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(decode(&encoded), (color, height, width, pixels));
        }
    }

    #[test]
    fn refuses_bad_shapes() {
        let message = encode_png(&[0; 5], 2, 2, 1).unwrap_err().to_string();
        assert!(
            message.contains("5 pixel bytes") && message.contains("needs 4"),
            "{message}"
        );
        for channels in [0, 5] {
            let message = encode_png(&[], 1, 1, channels).unwrap_err().to_string();
            assert!(message.contains(&format!("{channels} channels")), "{message}");
        }
        assert!(matches!(encode_png(&[], 0, 4, 3), Err(Error::InvalidValue(_))));
    }

    #[test]
    fn floats_scale_like_mlflow() {
        assert_eq!(float_pixels_to_u8(&[0.0, 0.5, 0.999, 1.0]).unwrap(), [0, 127, 254, 255]);
        let message = float_pixels_to_u8(&[0.2, 1.5]).unwrap_err().to_string();
        assert!(message.contains("1.5") && message.contains("position 1"), "{message}");
        assert!(float_pixels_to_u8(&[-0.1]).is_err());
        assert!(float_pixels_to_u8(&[f64::NAN]).unwrap_err().to_string().contains("NaN"));
    }
}
