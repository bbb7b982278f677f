//! Artifact root URIs: the scheme picks the store, `file://` URIs map to local folders.
//! Encoding follows Python's `pathlib.Path.as_uri()` (what MLflow writes into `artifact_uri`),
//! so roots written by either tool read back the same.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The scheme of `uri` (`file`, `s3`, ...), or `None` for a plain path. A single letter before
/// `:` is a Windows drive (`C:\runs`), not a scheme.
pub fn uri_scheme(uri: &str) -> Option<&str> {
    let colon = uri.find(':')?;
    let scheme = &uri[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.len() > 1;
    valid.then_some(scheme)
}

/// `file://` URI of a local path, percent-encoding every byte except unreserved characters and
/// `/` (spaces become `%20`, non-ASCII its UTF-8 bytes). A relative path is made absolute
/// against the current directory first, because a URI cannot be relative.
pub fn path_to_file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let bytes = path_bytes(&absolute);
    let mut uri = String::with_capacity(bytes.len() + 8);
    uri.push_str("file://");
    if !bytes.starts_with(b"/") {
        uri.push('/'); // Windows: file:///C:/runs
    }
    for &byte in bytes.iter() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Local path of a `file:` URI (`file:///abs`, `file://localhost/abs`, `file:/abs`), decoding
/// percent escapes. A string without a scheme is taken as a path as it is, undecoded, since
/// `%` is an ordinary character in file names.
pub fn file_uri_to_path(uri: &str) -> Result<PathBuf> {
    let Some(scheme) = uri_scheme(uri) else {
        return Ok(PathBuf::from(uri));
    };
    if !scheme.eq_ignore_ascii_case("file") {
        return Err(Error::invalid(format!(
            "'{uri}' is not a file:// URI (scheme '{scheme}')"
        )));
    }
    let rest = &uri[scheme.len() + 1..];
    let path = if let Some(after_slashes) = rest.strip_prefix("//") {
        let slash = after_slashes.find('/').unwrap_or(after_slashes.len());
        let host = &after_slashes[..slash];
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return Err(Error::invalid(format!(
                "file URI '{uri}' names the host '{host}'; only local files are supported"
            )));
        }
        &after_slashes[slash..]
    } else {
        rest
    };
    if !path.starts_with('/') {
        return Err(Error::invalid(format!("file URI '{uri}' must hold an absolute path")));
    }
    if path.contains(['?', '#']) {
        return Err(Error::invalid(format!(
            "file URI '{uri}' has a query or fragment; encode '?' as %3F and '#' as %23"
        )));
    }
    let decoded = percent_decode(path)
        .ok_or_else(|| Error::invalid(format!("file URI '{uri}' has a malformed percent escape")))?;
    if decoded.contains(&0) {
        return Err(Error::invalid(format!(
            "file URI '{uri}' decodes to a path with a NUL byte"
        )));
    }
    Ok(bytes_to_path(decoded))
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(path.to_string_lossy().replace('\\', "/").into_bytes())
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // file:///C:/runs decodes to /C:/runs; the drive must lead.
    let bytes = text.as_bytes();
    if bytes.len() >= 3 && bytes[0] == b'/' && bytes[1].is_ascii_alphabetic() && bytes[2] == b':' {
        PathBuf::from(&text[1..])
    } else {
        PathBuf::from(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(uri_scheme("file:///tmp/x"), Some("file"));
        assert_eq!(uri_scheme("s3://bucket/x"), Some("s3"));
        assert_eq!(uri_scheme("mlflow-artifacts:/x"), Some("mlflow-artifacts"));
        assert_eq!(uri_scheme("/tmp/x"), None);
        assert_eq!(uri_scheme("C:\\runs"), None);
        assert_eq!(uri_scheme("relative/a:b"), None);
    }

    #[cfg(unix)]
    #[test]
    fn round_trip_with_spaces_and_unicode() {
        let path = Path::new("/tmp/my runs/expé 1/件/100%/a+b#c?d");
        let uri = path_to_file_uri(path);
        assert_eq!(
            uri,
            "file:///tmp/my%20runs/exp%C3%A9%201/%E4%BB%B6/100%25/a%2Bb%23c%3Fd"
        );
        assert_eq!(file_uri_to_path(&uri).unwrap(), path);
    }

    #[cfg(unix)]
    #[test]
    fn round_trip_non_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\xff\xfe"));
        let uri = path_to_file_uri(path);
        assert_eq!(uri, "file:///tmp/%FF%FE");
        assert_eq!(file_uri_to_path(&uri).unwrap(), path);
    }

    #[test]
    fn relative_paths_become_absolute() {
        let uri = path_to_file_uri(Path::new("some dir"));
        assert!(uri.starts_with("file:///") && uri.ends_with("/some%20dir"), "{uri}");
    }

    #[cfg(unix)]
    #[test]
    fn accepted_uri_forms() {
        for uri in [
            "file:///a/b",
            "file://localhost/a/b",
            "file:/a/b",
            "FILE:///a/b",
            "/a/b",
        ] {
            assert_eq!(file_uri_to_path(uri).unwrap(), Path::new("/a/b"), "{uri}");
        }
        // A plain path is not decoded.
        assert_eq!(file_uri_to_path("/a/100%20").unwrap(), Path::new("/a/100%20"));
    }

    #[test]
    fn refused_uris() {
        for uri in [
            "s3://bucket/x",
            "file://otherhost/a",
            "file:relative",
            "file:///a/%zz",
            "file:///a/%4",
            "file:///a/%00b",
            "file:///a?x=1",
            "file:///a#frag",
        ] {
            assert!(matches!(file_uri_to_path(uri), Err(Error::InvalidValue(_))), "{uri}");
        }
    }
}
