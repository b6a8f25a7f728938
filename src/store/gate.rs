//! Admission for the transactions that move money, so a hot account cannot take
//! the whole pool.
//!
//! Two bounds, both waited for with one deadline (`DB_LOCK_TIMEOUT`):
//! - per account, one transaction at a time per process: the others queue here,
//!   holding no connection, instead of each holding a connection while PostgreSQL
//!   makes it wait for the row lock;
//! - a budget of connections for money (three quarters of the pool), so reads and
//!   sign-ins always find a connection even when every money transaction waits.
//!
//! Accounts are taken in ascending id order, as the rows are in the database, so
//! two transfers cannot wait on each other here either.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use anyhow::anyhow;
use tokio::{
    sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore},
    time::{Instant, timeout_at},
};

use super::pressure::Pressure;
use crate::error::AppError;

type Queues = Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>;

pub(crate) struct MoneyGate {
    budget: Arc<Semaphore>,
    queues: Queues,
    wait: Duration,
}

/// The right to run one money transaction; released when dropped.
pub(crate) struct MoneyPass {
    // Field order: the budget goes back before the accounts' turns end.
    _budget: OwnedSemaphorePermit,
    _turns: Vec<AccountTurn>,
}

impl MoneyGate {
    pub(crate) fn new(pool_size: usize, wait: Duration) -> Self {
        Self {
            budget: Arc::new(Semaphore::new(money_budget(pool_size))),
            queues: Queues::default(),
            wait,
        }
    }

    /// How many money transactions may hold a connection at once.
    pub(crate) fn budget(&self) -> usize {
        self.budget.available_permits()
    }

    /// Waits for the turn of every account in `accounts`, then for a budget slot,
    /// at most `DB_LOCK_TIMEOUT` in all; past it the request is `Unavailable`.
    pub(crate) async fn enter(
        &self,
        accounts: &[i64],
        pressure: &Pressure,
    ) -> Result<MoneyPass, AppError> {
        let deadline = Instant::now() + self.wait;
        let mut ids = accounts.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut turns = Vec::with_capacity(ids.len());
        for id in ids {
            let queue = self
                .queues
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(id)
                .or_default()
                .clone();
            let mut turn = AccountTurn {
                id,
                queue: queue.clone(),
                queues: self.queues.clone(),
                guard: None,
            };
            match timeout_at(deadline, queue.lock_owned()).await {
                Ok(guard) => turn.guard = Some(guard),
                Err(_) => {
                    pressure.queue_timeout();
                    return Err(AppError::Unavailable(anyhow!(
                        "account {id} stayed busy for {:?}: a transaction on it waits for its row",
                        self.wait
                    )));
                }
            }
            turns.push(turn);
        }
        let budget = match timeout_at(deadline, self.budget.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(AppError::Internal(anyhow!(closed))),
            Err(_) => {
                pressure.queue_timeout();
                return Err(AppError::Unavailable(anyhow!(
                    "every connection for money transactions stayed busy for {:?}",
                    self.wait
                )));
            }
        };
        Ok(MoneyPass {
            _budget: budget,
            _turns: turns,
        })
    }
}

/// Three quarters of the pool (at least one connection), leaving the rest to
/// everything that moves no money.
fn money_budget(pool_size: usize) -> usize {
    pool_size.saturating_sub((pool_size / 4).max(1)).max(1)
}

/// One account's turn; the queue entry is removed when nobody else waits for it.
struct AccountTurn {
    id: i64,
    queue: Arc<tokio::sync::Mutex<()>>,
    queues: Queues,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Drop for AccountTurn {
    fn drop(&mut self) {
        self.guard.take();
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        // Two references left: the map's and ours. A waiter would hold a third.
        if Arc::strong_count(&self.queue) == 2 {
            queues.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_leaves_a_quarter_of_the_pool_to_the_rest() {
        assert_eq!(money_budget(16), 12);
        assert_eq!(money_budget(8), 6);
        assert_eq!(money_budget(2), 1);
        assert_eq!(money_budget(1), 1);
    }

    #[tokio::test]
    async fn a_busy_account_makes_the_next_one_wait_then_give_up() {
        let gate = MoneyGate::new(8, Duration::from_millis(20));
        let pressure = Pressure::default();
        let held = gate.enter(&[7, 3], &pressure).await.expect("free accounts");
        let refused = gate.enter(&[3, 9], &pressure).await;
        assert!(matches!(refused, Err(AppError::Unavailable(_))));
        assert_eq!(pressure.snapshot().queue_timeouts, 1);
        // Other accounts pass meanwhile.
        let other = gate
            .enter(&[1, 2], &pressure)
            .await
            .expect("other accounts");
        drop((held, other));
        assert!(
            gate.queues.lock().unwrap().is_empty(),
            "no queue outlives its last user"
        );
        gate.enter(&[3], &pressure).await.expect("free again");
    }

    #[tokio::test]
    async fn the_budget_bounds_concurrent_money_transactions() {
        let gate = MoneyGate::new(1, Duration::from_millis(20));
        let pressure = Pressure::default();
        let held = gate.enter(&[1], &pressure).await.expect("a slot");
        assert!(matches!(
            gate.enter(&[2], &pressure).await,
            Err(AppError::Unavailable(_))
        ));
        drop(held);
        gate.enter(&[2], &pressure).await.expect("the slot is back");
    }
}
