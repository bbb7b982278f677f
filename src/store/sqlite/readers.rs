//! Connections for reads, besides the one for synchronous writes: a long read (a search over
//! many runs) runs on one of these, so it never holds the lock every other request needs.
//! WAL mode lets them read while another connection writes.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

use super::{connection, fork};
use crate::error::Result;

/// Idle connections kept for the next read; more are opened while many reads run at once.
const KEPT: usize = 4;

pub struct Readers {
    database: PathBuf,
    /// The fork generation the idle connections were opened in, and the connections.
    idle: Mutex<(u64, Vec<Connection>)>,
}

impl Readers {
    pub fn new(database: &Path) -> Readers {
        Readers {
            database: database.to_path_buf(),
            idle: Mutex::new((fork::generation(), Vec::new())),
        }
    }

    /// A connection for one read; it goes back to the pool when dropped.
    pub fn get(&self) -> Result<Reader<'_>> {
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.0 != fork::generation() {
                // A forked child must not use its parent's connections, nor close them.
                for conn in idle.1.drain(..) {
                    std::mem::forget(conn);
                }
                idle.0 = fork::generation();
            }
            idle.1.pop()
        };
        let conn = match idle {
            Some(conn) => conn,
            None => connection::open(&self.database)?,
        };
        Ok(Reader {
            pool: self,
            generation: fork::generation(),
            conn: Some(conn),
        })
    }
}

pub struct Reader<'a> {
    pool: &'a Readers,
    generation: u64,
    conn: Option<Connection>,
}

impl Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.0 == self.generation && idle.1.len() < KEPT && conn.is_autocommit() {
            idle.1.push(conn);
        } else if self.generation != fork::generation() {
            std::mem::forget(conn);
        }
    }
}
