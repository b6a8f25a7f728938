//! Session mode: a few pooled connections kept out of the pool and shared by every
//! single-statement read at once (`Store::read`).
//!
//! tokio-postgres pipelines the queries that tasks send on one connection at the same
//! time, so under load one write and one read on the socket carry many reads, where
//! a connection per request pays both for each. Only plain reads come here: under
//! MVCC they wait for no lock, so none can hold up the reads queued behind it for
//! long (the statement timeout bounds the rest). Writes and transactions keep a
//! pooled connection of their own.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use deadpool_postgres::{Object, PoolError};

use super::Store;

pub(crate) struct SharedReaders {
    slots: Box<[Mutex<Option<Arc<Object>>>]>,
    next: AtomicUsize,
}

impl SharedReaders {
    /// `count` shared connections (none: every read takes its own from the pool).
    pub(crate) fn new(count: usize) -> Self {
        Self {
            slots: (0..count).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The next shared connection in turn; a closed one is replaced from the pool
    /// (it goes back there when its last reader is done, and the pool drops it).
    pub(crate) async fn get(&self, store: &Store) -> Result<Arc<Object>, PoolError> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        if let Some(object) = lock(slot).as_ref().filter(|object| !object.is_closed()) {
            return Ok(object.clone());
        }
        let fresh = Arc::new(store.checkout().await?);
        let mut held = lock(slot);
        match held.as_ref().filter(|object| !object.is_closed()) {
            // Another reader replaced it meanwhile: ours goes back to the pool.
            Some(object) => Ok(object.clone()),
            None => {
                *held = Some(fresh.clone());
                Ok(fresh)
            }
        }
    }
}

fn lock(slot: &Mutex<Option<Arc<Object>>>) -> std::sync::MutexGuard<'_, Option<Arc<Object>>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
