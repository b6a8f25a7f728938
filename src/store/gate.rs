//! Admission for the transactions that move money, so a hot account cannot take
//! the whole pool.
//!
//! Two bounds, both waited for with one deadline (`DB_LOCK_TIMEOUT`):
//! - per account, one transaction at a time per process: the others wait here,
//!   holding no connection, instead of each holding a connection while PostgreSQL
//!   makes it wait for the row lock;
//! - a budget of connections for money (`DB_MONEY_CONNECTIONS`, at most three
//!   quarters of the pool), so reads and sign-ins always find a connection even when
//!   every money transaction waits, and PostgreSQL runs only as many money
//!   transactions at once as make it faster: past a few per core, more at once only
//!   share its cores, and each takes longer (under `make bench`'s transfer load on its
//!   two cores, with slow WAL flushes, 12 at once had a p99 of 54–60 ms where 6 had
//!   37–41 ms, at the same rate; with fast ones, 12 had 16–19 ms where 8 had 11–14 ms).
//!
//! A transaction takes all its accounts and its budget slot at once, when all are
//! free, and holds none while it waits: taking them one by one, in id order as the rows
//! are locked, let a transaction sit on a free account while it waited for the next (or
//! for a slot), and the ones behind it waited on it in turn. Such chains were the tail
//! of the transfer latency (`make bench`). Waiters are served oldest first, and a
//! newcomer may take accounts an older waiter does not need yet; once a waiter has
//! waited `PATIENCE`, its accounts are kept for it, so it cannot be passed over for ever.

use std::{
    collections::{HashSet, VecDeque},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use anyhow::anyhow;
use prometheus_client::metrics::histogram::Histogram;
use tokio::{
    sync::oneshot,
    time::{Instant, timeout_at},
};

use super::{WAIT_BUCKETS, pressure::Pressure};
use crate::config::most_money_connections;
use crate::error::AppError;

/// How long a waiter lets newcomers take accounts it needs before it keeps them: a
/// few transfers' time (about 3 ms each on the bench's two cores), so a newcomer
/// rarely waits behind an account nobody uses yet, and nobody waits much longer.
const PATIENCE: Duration = Duration::from_millis(10);

pub(crate) struct MoneyGate {
    turns: Arc<Mutex<Turns>>,
    wait: Duration,
    /// How long each money transaction waited here, admitted or not.
    waited: Histogram,
}

/// The right to run one money transaction: its accounts and a budget slot, given
/// back (and handed on) when dropped.
pub(crate) struct MoneyPass {
    _turn: HeldAccounts,
}

impl MoneyGate {
    /// At most `money_connections` money transactions at once, and never more than
    /// three quarters of a pool of `pool_size`.
    pub(crate) fn new(pool_size: usize, money_connections: usize, wait: Duration) -> Self {
        let budget = money_connections.clamp(1, most_money_connections(pool_size));
        Self {
            turns: Arc::new(Mutex::new(Turns::new(budget))),
            wait,
            waited: Histogram::new(WAIT_BUCKETS),
        }
    }

    /// The histogram of waits at the gate, for the metrics registry.
    pub(crate) fn wait_histogram(&self) -> Histogram {
        self.waited.clone()
    }

    /// Waits until every account in `accounts` is free and a budget slot too, and takes
    /// them together, at most `DB_LOCK_TIMEOUT`; past it the request is `Unavailable`.
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
                    Ok(held) => held,
                    Err(GaveUp { accounts_free }) => {
                        pressure.queue_timeout();
                        return Err(AppError::Unavailable(if accounts_free {
                            anyhow!(
                                "every connection for money transactions stayed busy for {:?}",
                                self.wait
                            )
                        } else {
                            anyhow!(
                                "accounts {:?} stayed busy for {:?}: transactions on them wait for their rows",
                                accounts,
                                self.wait
                            )
                        }));
                    }
                },
            },
        };
        Ok(MoneyPass { _turn: held })
    }

    /// The accounts and a slot at once if nobody holds or keeps them, else a place in line.
    fn take_or_queue(&self, ids: Vec<i64>) -> Result<HeldAccounts, Waiting> {
        let mut turns = lock(&self.turns);
        let now = Instant::now();
        if turns.free_for_newcomer(&ids, now) {
            turns.take(&ids);
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

/// Which accounts and how many budget slots are in use, and who waits, oldest first.
struct Turns {
    busy: HashSet<i64>,
    /// Money transactions admitted and not yet done, at most `budget`.
    running: usize,
    budget: usize,
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
    fn new(budget: usize) -> Self {
        Self {
            busy: HashSet::new(),
            running: 0,
            budget,
            waiting: VecDeque::new(),
            next_ticket: 0,
        }
    }

    fn take(&mut self, ids: &[i64]) {
        self.busy.extend(ids);
        self.running += 1;
    }

    fn patient(waiter: &Waiter, now: Instant) -> bool {
        now.duration_since(waiter.since) < PATIENCE
    }

    /// A slot free, and the accounts free and not kept for a waiter that ran out of
    /// patience.
    fn free_for_newcomer(&self, ids: &[i64], now: Instant) -> bool {
        self.running < self.budget
            && ids.iter().all(|id| {
                !self.busy.contains(id)
                    && !self
                        .waiting
                        .iter()
                        .any(|waiter| !Self::patient(waiter, now) && waiter.ids.contains(id))
            })
    }

    /// Frees `ids` and their slot, and hands them on.
    fn release(&mut self, ids: &[i64]) {
        for id in ids {
            self.busy.remove(id);
        }
        self.running -= 1;
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

    /// Hands slots to the waiters that can now have all their accounts, oldest first;
    /// an impatient waiter that still cannot keeps its accounts from the younger ones.
    fn hand_on(&mut self) {
        let now = Instant::now();
        let mut kept: Vec<i64> = Vec::new();
        let mut index = 0;
        while index < self.waiting.len() && self.running < self.budget {
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
                    self.take(&waiter.ids);
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

/// Accounts and a slot taken for one transaction; freed (and handed on) when dropped.
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

    /// Past the deadline: leaves the line, unless its turn came just now.
    fn give_up(mut self) -> Result<HeldAccounts, GaveUp> {
        let mut turns = lock(&self.turns);
        let ids = self.ids.as_deref().unwrap_or_default();
        let accounts_free = ids.iter().all(|id| !turns.busy.contains(id));
        if turns.leave(self.ticket) {
            self.ids = None;
            return Err(GaveUp { accounts_free });
        }
        drop(turns);
        Ok(self.into_held())
    }
}

/// A waiter that left the line: its accounts were free at the end (so every budget
/// slot was taken), or some were not.
struct GaveUp {
    accounts_free: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_busy_account_makes_the_next_one_wait_then_give_up() {
        let gate = MoneyGate::new(8, 6, Duration::from_millis(20));
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

    /// A request for `accounts` that enters (and leaves at once) in a task of its own.
    fn enter_in_background(
        gate: &Arc<MoneyGate>,
        pressure: &Arc<Pressure>,
        accounts: &'static [i64],
    ) -> tokio::task::JoinHandle<Result<(), AppError>> {
        let (gate, pressure) = (gate.clone(), pressure.clone());
        tokio::spawn(async move { gate.enter(accounts, &pressure).await.map(drop) })
    }

    fn settled(gate: &MoneyGate) -> bool {
        let turns = lock(&gate.turns);
        turns.busy.is_empty() && turns.waiting.is_empty() && turns.running == 0
    }

    #[tokio::test]
    async fn a_waiter_holds_none_of_its_accounts_until_it_has_them_all() {
        let gate = Arc::new(MoneyGate::new(8, 6, Duration::from_secs(5)));
        let pressure = Arc::new(Pressure::default());
        let first = gate.enter(&[1], &pressure).await.expect("free");
        let waiter = enter_in_background(&gate, &pressure, &[2, 1]);
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
        let gate = Arc::new(MoneyGate::new(8, 6, Duration::from_secs(5)));
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
        let gate = MoneyGate::new(8, 6, Duration::from_secs(5));
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
        let gate = MoneyGate::new(1, 1, Duration::from_millis(20));
        let pressure = Pressure::default();
        let held = gate.enter(&[1], &pressure).await.expect("a slot");
        assert!(matches!(
            gate.enter(&[2], &pressure).await,
            Err(AppError::Unavailable(_))
        ));
        drop(held);
        gate.enter(&[2], &pressure).await.expect("the slot is back");
    }

    #[tokio::test]
    async fn a_waiter_for_a_slot_holds_none_of_its_accounts() {
        let gate = Arc::new(MoneyGate::new(8, 1, Duration::from_secs(5)));
        let pressure = Arc::new(Pressure::default());
        let running = gate.enter(&[1], &pressure).await.expect("the slot");
        let waiter = enter_in_background(&gate, &pressure, &[2, 3]);
        until_waiting(&gate, 1).await;
        assert!(
            lock(&gate.turns).busy.iter().eq([&1]),
            "2 and 3 stay free while their waiter has no slot"
        );
        drop(running);
        waiter.await.expect("joined").expect("the slot came");
        assert!(settled(&gate));
    }

    #[test]
    fn the_budget_is_what_was_asked_within_three_quarters_of_the_pool() {
        let budget = |pool, asked| lock(&MoneyGate::new(pool, asked, Duration::ZERO).turns).budget;
        assert_eq!(budget(16, 6), 6);
        assert_eq!(budget(16, 16), 12);
        assert_eq!(budget(4, 6), 3);
        assert_eq!(budget(1, 6), 1);
        assert_eq!(budget(16, 0), 1);
    }
}
