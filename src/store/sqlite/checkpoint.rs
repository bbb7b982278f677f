//! Folding the write-ahead log back into the database when this process is done with it, so
//! that no large `rtrack.db-wal` stays beside the database after the process exits.
//!
//! SQLite does this itself when the last connection of the last process closes. But stores
//! opened by the fluent API (and so by Python) live in statics that are never dropped, and
//! another process may still have the database open. So each process counts its open stores
//! per database: the last store dropped checkpoints with TRUNCATE before closing its
//! connection, and at exit (C `atexit`, which runs after Python's own exit handlers have ended
//! the runs and flushed) every database still open is checkpointed on a fresh connection. A
//! checkpoint another process keeps busy is skipped after [`CHECKPOINT_WAIT`]: the log is then
//! that process's to fold.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long a checkpoint waits for other connections' reads and writes to finish.
pub const CHECKPOINT_WAIT: Duration = Duration::from_secs(1);

fn open_stores() -> &'static Mutex<HashMap<PathBuf, usize>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, usize>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
}

/// A store on `database` opened in this process.
pub fn opened(database: &Path) {
    register_exit_checkpoint();
    let mut open = open_stores().lock().unwrap_or_else(|p| p.into_inner());
    *open.entry(database.to_path_buf()).or_default() += 1;
}

/// A store on `database` is closing `conn`, its last connection: checkpoint if it was the
/// process's last store on that database.
pub fn closing(database: &Path, conn: &Connection) {
    let last = {
        let mut open = open_stores().lock().unwrap_or_else(|p| p.into_inner());
        match open.get_mut(database) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                open.remove(database);
                true
            }
        }
    };
    if last {
        truncate_log(conn);
    }
}

/// Copy the log into the database and truncate it to zero bytes; best effort.
pub fn truncate_log(conn: &Connection) -> bool {
    if conn.busy_timeout(CHECKPOINT_WAIT).is_err() {
        return false;
    }
    // The row is (busy, log frames, checkpointed frames); busy = 1 if it could not finish.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0))
        .is_ok_and(|busy| busy == 0)
}

fn register_exit_checkpoint() {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    extern "C" fn at_exit() {
        // Never wait for a lock at exit: another thread may hold it for good.
        let Ok(open) = open_stores().try_lock() else {
            return;
        };
        for database in open.keys() {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if let Ok(conn) = Connection::open_with_flags(database, flags) {
                truncate_log(&conn);
            }
        }
    }
    extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }
    // SAFETY: registering a plain function; it touches only our statics and SQLite.
    REGISTER.call_once(|| unsafe {
        atexit(at_exit);
    });
}
