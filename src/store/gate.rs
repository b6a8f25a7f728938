//! Admission for the transactions that move money, so a hot account cannot take
//! the whole pool.
//!
//! Two bounds, both waited for with one deadline (`DB_LOCK_TIMEOUT`):
//! - per account, one transaction at a time per process: the others wait here,
//!   holding no connection, instead of each holding a connection while PostgreSQL
//!   makes it wait for the row lock;
//! - a budget of connections for money (three quarters of the pool), so reads and
//!   sign-ins always find a connection even when every money transaction waits.
//!
//! A transaction takes all its accounts at once, when all are free, and holds none
//! while it waits: taking them one by one, in id order as the rows are locked, let a
//! transaction sit on a free account while it waited for the next, and the ones behind
//! it waited on it in turn. Such chains were the tail of the transfer latency
//! (`make bench`). Waiters are served oldest first, and a newcomer may take accounts an
//! older waiter does not need yet; once a waiter has waited `PATIENCE`, its accounts
//! are kept for it, so it cannot be passed over for ever.

use std::{
    collections::{HashSet, VecDeque},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use anyhow::anyhow;
use prometheus_client::metrics::histogram::Histogram;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore, oneshot},
    time::{Instant, timeout_at},
};

use super::{WAIT_BUCKETS, pressure::Pressure};
use crate::error::AppError;

/// How long a waiter lets newcomers take accounts it needs before it keeps them: a
/// few transfers' time (about 3 ms each on the bench's two cores), so a newcomer
/// rarely waits behind an account nobody uses yet, and nobody waits much longer.
const PATIENCE: Duration = Duration::from_millis(10);

pub(crate) struct MoneyGate {
    budget: Arc<Semaphore>,
    turns: Arc<Mutex<Turns>>,
    wait: Duration,
    /// How long each money transaction waited here, admitted or not.
    waited: Histogram,
}

/// The right to run one money transaction; released when dropped.
pub(crate) struct MoneyPass {
    // Field order: the budget goes back before the accounts are free again.
    _budget: OwnedSemaphorePermit,
    _accounts: HeldAccounts,
}

impl MoneyGate {
    pub(crate) fn new(pool_size: usize, wait: Duration) -> Self {
        Self {
            budget: Arc::new(Semaphore::new(money_budget(pool_size))),
            turns: Arc::default(),
            wait,
            waited: Histogram::new(WAIT_BUCKETS),
        }
    }

    /// The histogram of waits at the gate, for the metrics registry.
    pub(crate) fn wait_histogram(&self) -> Histogram {
        self.waited.clone()
    }

    /// How many money transactions may hold a connection at once.
    pub(crate) fn budget(&self) -> usize {
        self.budget.available_permits()
    }

    /// Waits until every account in `accounts` is free and takes them together, then
    /// waits for a budget slot, at most `DB_LOCK_TIMEOUT` in all; past it the request
    /// is `Unavailable`.
    pub(crate) async fn enter(
        &self,
        accounts: &[i64],
        pressure: &Pressure,
    ) -> Result<MoneyPass, AppError> {
        let started = Instant::now();
        let entered = self.admit(accounts, pressure, started + self.wait).await;
        self.waited.observe(started.elapsed().as_secs_f64());
        entered
    }

    async fn admit(
        &self,
        accounts: &[i64],
        pressure: &Pressure,
        deadline: Instant,
    ) -> Result<MoneyPass, AppError> {
        let mut ids = accounts.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let held = match self.take_or_queue(ids) {
            Ok(held) => held,
            Err(mut waiting) => match timeout_at(deadline, &mut waiting.granted).await {
                Ok(Ok(())) => waiting.into_held(),
                // Only `Turns::leave` drops a waiter's sender unsent, and only for a
                // `Waiting` that is itself going away: not reached.
                Ok(Err(dropped)) => return Err(AppError::Internal(anyhow!(dropped))),
                Err(_) => match waiting.give_up() {
                    Some(held) => held,
                    None => {
                        pressure.queue_timeout();
                        return Err(AppError::Unavailable(anyhow!(
                            "accounts {:?} stayed busy for {:?}: transactions on them wait for their rows",
                            accounts,
                            self.wait
                        )));
                    }
                },
            },
        };
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
            _accounts: held,
        })
    }

    /// The accounts at once if nobody holds them or keeps them, else a place in line.
    fn take_or_queue(&self, ids: Vec<i64>) -> Result<HeldAccounts, Waiting> {
        let mut turns = lock(&self.turns);
        let now = Instant::now();
        if turns.free_for_newcomer(&ids, now) {
            turns.busy.extend(&ids);
            return Ok(HeldAccounts {
                ids,
                turns: self.turns.clone(),
            });
        }
        let (wake, granted) = oneshot::channel();
        turns.next_ticket += 1;
        let ticket = turns.next_ticket;
        turns.waiting.push_back(Waiter {
            ticket,
            ids: ids.clone(),
            since: now,
            wake,
        });
        Err(Waiting {
            ticket,
            ids: Some(ids),
            turns: self.turns.clone(),
            granted,
        })
    }
}

/// Which accounts are in use, and who waits for which, oldest first.
#[derive(Default)]
struct Turns {
    busy: HashSet<i64>,
    waiting: VecDeque<Waiter>,
    next_ticket: u64,
}

struct Waiter {
    ticket: u64,
    ids: Vec<i64>,
    since: Instant,
    /// Sent (under the lock) once the accounts are marked busy for this waiter.
    wake: oneshot::Sender<()>,
}

impl Turns {
    fn patient(waiter: &Waiter, now: Instant) -> bool {
        now.duration_since(waiter.since) < PATIENCE
    }

    /// Free, and not kept for a waiter that ran out of patience.
    fn free_for_newcomer(&self, ids: &[i64], now: Instant) -> bool {
        ids.iter().all(|id| {
            !self.busy.contains(id)
                && !self
                    .waiting
                    .iter()
                    .any(|waiter| !Self::patient(waiter, now) && waiter.ids.contains(id))
        })
    }

    /// Frees `ids` and hands them on.
    fn release(&mut self, ids: &[i64]) {
        for id in ids {
            self.busy.remove(id);
        }
        self.hand_on();
    }

    /// Takes a waiter out of line; false if it is no longer there (its accounts came).
    /// What it kept from younger waiters is handed on.
    fn leave(&mut self, ticket: u64) -> bool {
        let Some(position) = self.waiting.iter().position(|w| w.ticket == ticket) else {
            return false;
        };
        self.waiting.remove(position);
        self.hand_on();
        true
    }

    /// Hands accounts to the waiters that can now have all of theirs, oldest first; an
    /// impatient waiter that still cannot keeps its accounts from the younger ones.
    fn hand_on(&mut self) {
        let now = Instant::now();
        let mut kept: Vec<i64> = Vec::new();
        let mut index = 0;
        while index < self.waiting.len() {
            let waiter = &self.waiting[index];
            if waiter
                .ids
                .iter()
                .all(|id| !self.busy.contains(id) && !kept.contains(id))
            {
                let waiter = self.waiting.remove(index).expect("index is in bounds");
                // Its receiver lives in `Waiting`, whose drop takes this lock first: it
                // is still there.
                if waiter.wake.send(()).is_ok() {
                    self.busy.extend(&waiter.ids);
                }
                continue;
            }
            if !Self::patient(waiter, now) {
                kept.extend(&waiter.ids);
            }
            index += 1;
        }
    }
}

fn lock(turns: &Mutex<Turns>) -> MutexGuard<'_, Turns> {
    turns.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accounts taken for one transaction; freed (and handed on) when dropped.
struct HeldAccounts {
    ids: Vec<i64>,
    turns: Arc<Mutex<Turns>>,
}

impl Drop for HeldAccounts {
    fn drop(&mut self) {
        lock(&self.turns).release(&self.ids);
    }
}

/// A place in line. Dropped before its accounts came (timeout, or the request went
/// away), it leaves the line; if they came meanwhile, it frees them again.
struct Waiting {
    ticket: u64,
    /// `None` once handed over to `HeldAccounts`.
    ids: Option<Vec<i64>>,
    turns: Arc<Mutex<Turns>>,
    granted: oneshot::Receiver<()>,
}

impl Waiting {
    fn into_held(mut self) -> HeldAccounts {
        HeldAccounts {
            ids: self.ids.take().expect("handed over once"),
            turns: self.turns.clone(),
        }
    }

    /// Past the deadline: leaves the line, unless the accounts came just now.
    fn give_up(mut self) -> Option<HeldAccounts> {
        let mut turns = lock(&self.turns);
        if turns.leave(self.ticket) {
            self.ids = None;
            return None;
        }
        drop(turns);
        Some(self.into_held())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let Some(ids) = self.ids.take() else {
            return;
        };
        let mut turns = lock(&self.turns);
        // Out of line and granted (the grant is sent under this lock): nobody will use them.
        if !turns.leave(self.ticket) && self.granted.try_recv().is_ok() {
            turns.release(&ids);
        }
    }
}

/// Three quarters of the pool (at least one connection), leaving the rest to
/// everything that moves no money.
fn money_budget(pool_size: usize) -> usize {
    pool_size.saturating_sub((pool_size / 4).max(1)).max(1)
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
        assert!(settled(&gate), "nothing outlives its last user");
        gate.enter(&[3], &pressure).await.expect("free again");
    }

    /// Lets the spawned tasks run until `waiting` requests wait (5 s at most).
    async fn until_waiting(gate: &MoneyGate, waiting: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while lock(&gate.turns).waiting.len() != waiting {
            assert!(Instant::now() < deadline, "never {waiting} waiting");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    fn settled(gate: &MoneyGate) -> bool {
        let turns = lock(&gate.turns);
        turns.busy.is_empty() && turns.waiting.is_empty()
    }

    #[tokio::test]
    async fn a_waiter_holds_none_of_its_accounts_until_it_has_them_all() {
        let gate = Arc::new(MoneyGate::new(8, Duration::from_secs(5)));
        let pressure = Arc::new(Pressure::default());
        let first = gate.enter(&[1], &pressure).await.expect("free");
        let waiter = tokio::spawn({
            let (gate, pressure) = (gate.clone(), pressure.clone());
            async move { gate.enter(&[2, 1], &pressure).await.map(drop) }
        });
        until_waiting(&gate, 1).await;
        // Account 2 is free: a newcomer takes it, though the waiter needs it too.
        let second = gate.enter(&[2], &pressure).await.expect("2 is not held");
        drop(first);
        assert!(
            !waiter.is_finished() && lock(&gate.turns).waiting.len() == 1,
            "1 is free, but 2 is not"
        );
        drop(second);
        waiter.await.expect("joined").expect("both free now");
        assert!(settled(&gate));
    }

    #[tokio::test]
    async fn a_waiter_out_of_patience_keeps_its_accounts_from_newcomers() {
        let gate = Arc::new(MoneyGate::new(8, Duration::from_secs(5)));
        let pressure = Arc::new(Pressure::default());
        let first = gate.enter(&[1], &pressure).await.expect("free");
        let (entered, mut order) = tokio::sync::mpsc::unbounded_channel();
        let enter = |accounts: Vec<i64>, name: &'static str| {
            let (gate, pressure, entered) = (gate.clone(), pressure.clone(), entered.clone());
            tokio::spawn(async move {
                let pass = gate.enter(&accounts, &pressure).await.expect("in time");
                entered.send(name).expect("receiver alive");
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(pass);
            })
        };
        let old = enter(vec![1, 2], "old");
        tokio::time::sleep(PATIENCE * 2).await;
        let newcomer = enter(vec![2], "newcomer");
        until_waiting(&gate, 2).await;
        assert!(order.try_recv().is_err(), "2 is kept for the old waiter");
        drop(first);
        let (old, newcomer) = tokio::join!(old, newcomer);
        old.and(newcomer).expect("joined");
        assert_eq!(order.recv().await, Some("old"));
        assert_eq!(order.recv().await, Some("newcomer"));
        assert!(settled(&gate));
    }

    #[tokio::test]
    async fn a_request_that_goes_away_leaves_nothing_behind() {
        let gate = MoneyGate::new(8, Duration::from_secs(5));
        let pressure = Pressure::default();
        let held = gate.enter(&[4], &pressure).await.expect("free");
        // Dropped while it waits, as when the client disconnects.
        let gone =
            tokio::time::timeout(Duration::from_millis(5), gate.enter(&[4, 5], &pressure)).await;
        assert!(gone.is_err(), "4 is held");
        assert_eq!(lock(&gate.turns).waiting.len(), 0);
        drop(held);
        gate.enter(&[4, 5], &pressure).await.expect("free again");
        assert!(settled(&gate));
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
