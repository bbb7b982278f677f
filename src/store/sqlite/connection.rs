//! Opening connections to the store's database with the settings that make several
//! writers (threads or processes) safe: WAL, a long busy timeout, retry on contention.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::durability::Durability;
use crate::error::{Error, Result};

/// How long a writer waits for another to finish before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Open a connection, switching the database to WAL on first use, with the durability
/// `RTRACK_DURABILITY` asks for (refused before anything is opened if it names none).
pub fn open(path: &Path) -> Result<Connection> {
    Durability::from_env()?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = with_retry(|| Connection::open_with_flags(path, flags).map_err(Error::from))
        .map_err(|e| Error::Internal(format!("cannot open the store database {}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Switching to WAL needs a moment of exclusive access; when several processes create
    // the store at once, the busy handler is not always consulted, so retry here.
    with_retry(|| {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            Ok(())
        } else {
            Err(Error::Internal(format!(
                "the store database refused WAL mode (got '{mode}')"
            )))
        }
    })?;
    // NORMAL in WAL mode: a committed transaction survives a crash of the process; FULL
    // (RTRACK_DURABILITY=full) also survives power loss.
    conn.pragma_update(None, "synchronous", Durability::from_env()?.synchronous())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Whether an error is the transient "another writer holds the lock" kind.
pub fn is_busy(error: &Error) -> bool {
    matches!(
        error,
        Error::Database(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Run `operation` again while it fails with a busy error, up to [`BUSY_TIMEOUT`].
pub fn with_retry<T>(mut operation: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match operation() {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}
