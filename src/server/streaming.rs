//! Response bodies written by blocking code as they are sent: a long metric history or a
//! large artifact goes out in pieces through a small bounded channel, so the server holds a
//! few pieces at a time whatever the response's size, and a slow client slows the writer
//! down instead of making a buffer grow.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use tokio::sync::mpsc;

use crate::artifacts::ArtifactFile;

/// Bytes gathered before a piece is handed to the client.
const PIECE: usize = 64 * 1024;
/// Pieces in flight between the writer and the client.
const PIECES_IN_FLIGHT: usize = 4;

/// A body whose bytes `produce` writes on the blocking pool. An error after the first piece
/// can only end the body early; the client sees a truncated response, never a complete one.
pub fn body_written_by(produce: impl FnOnce(&mut PieceWriter) -> crate::Result<()> + Send + 'static) -> Body {
    let (sender, receiver) = mpsc::channel(PIECES_IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut writer = PieceWriter {
            piece: Vec::with_capacity(PIECE),
            sender,
        };
        let outcome = produce(&mut writer).and_then(|()| writer.send().map_err(|e| crate::Error::io("sending", e)));
        if let Err(error) = outcome {
            // The client may be gone (then nobody hears this); otherwise the body ends in error.
            let _ = writer.sender.blocking_send(Err(io::Error::other(error.to_string())));
        }
    });
    Body::from_stream(Pieces(receiver))
}

/// A stored file as a body, read a piece at a time on the blocking pool.
pub fn file_body(file: ArtifactFile) -> Body {
    let ArtifactFile { mut reader, .. } = file;
    body_written_by(move |out| {
        io::copy(&mut reader, out)
            .map(|_| ())
            .map_err(|e| crate::Error::io("sending an artifact", e))
    })
}

/// Where a streamed body is written; a write blocks while the client is behind.
pub struct PieceWriter {
    piece: Vec<u8>,
    sender: mpsc::Sender<io::Result<Bytes>>,
}

impl PieceWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE)));
        self.sender
            .blocking_send(Ok(piece))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client closed the connection"))
    }
}

impl Write for PieceWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.piece.extend_from_slice(bytes);
        if self.piece.len() >= PIECE {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

struct Pieces(mpsc::Receiver<io::Result<Bytes>>);

impl futures_core::Stream for Pieces {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
