//! Forked children. A child process inherits the parent's memory (queued metric points, open
//! SQLite connections) but none of its threads. SQLite connections must not be used across a
//! fork, the background writer thread does not exist in the child, and points the parent queued
//! are the parent's to write. So per-process state remembers the fork generation it was made
//! in and is rebuilt when [`generation`] has moved on.
//!
//! Limit: a lock another parent thread held at the moment of the fork stays held in the child.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A number that changes in every forked child (once [`watch`] has been called).
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// Start counting forks; idempotent, called when a store opens.
pub fn watch() {
    #[cfg(unix)]
    {
        static REGISTER: std::sync::Once = std::sync::Once::new();
        extern "C" fn forked_child() {
            GENERATION.fetch_add(1, Ordering::Relaxed);
        }
        extern "C" {
            fn pthread_atfork(
                prepare: Option<extern "C" fn()>,
                parent: Option<extern "C" fn()>,
                child: Option<extern "C" fn()>,
            ) -> std::os::raw::c_int;
        }
        // SAFETY: the handler only bumps an atomic, which is safe in a freshly forked child.
        REGISTER.call_once(|| unsafe {
            pthread_atfork(None, None, Some(forked_child));
        });
    }
}
