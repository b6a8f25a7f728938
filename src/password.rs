//! Password hashing with argon2id, as a bounded resource.
//!
//! Every hash and every verification runs on the blocking thread pool, at most
//! `concurrency` at a time. Callers beyond that wait in a queue of bounded length
//! for a bounded time, then get `AppError::Unavailable` (503 / UNAVAILABLE).
//!
//! Each argon2id run needs `m_cost` KiB of working memory (19 MiB by default).
//! Allocating it per run lets glibc keep the freed blocks in per-thread arenas
//! (its mmap threshold grows after the first free), and a burst then leaves
//! gigabytes resident. Here each running slot reuses one pre-sized block, so the
//! memory is bounded by `concurrency` blocks and never grows with the load.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use crate::config::PasswordLimits;
use crate::{domain::Password, error::AppError};

/// The bounded password worker pool. Cheap to clone: clones share the limits.
#[derive(Clone)]
pub struct PasswordPool {
    inner: Arc<Inner>,
}

struct Inner {
    limits: PasswordLimits,
    permits: Arc<Semaphore>,
    /// Free working memory, one block per slot that has run; taken only with a permit,
    /// so there are never more than `concurrency` of them.
    memory: Mutex<Vec<Vec<Block>>>,
    waiting: AtomicUsize,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    refused: AtomicU64,
}

impl Default for PasswordPool {
    fn default() -> Self {
        Self::new(PasswordLimits::default())
    }
}

impl PasswordPool {
    pub fn new(limits: PasswordLimits) -> Self {
        let limits = PasswordLimits {
            concurrency: limits.concurrency.max(1),
            ..limits
        };
        Self {
            inner: Arc::new(Inner {
                limits,
                permits: Arc::new(Semaphore::new(limits.concurrency)),
                memory: Mutex::new(Vec::with_capacity(limits.concurrency)),
                waiting: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                peak_in_flight: AtomicUsize::new(0),
                refused: AtomicU64::new(0),
            }),
        }
    }

    pub fn limits(&self) -> PasswordLimits {
        self.inner.limits
    }

    /// Password jobs running now (a gauge).
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// The most jobs that ever ran at once: never above `concurrency`.
    pub fn peak_in_flight(&self) -> usize {
        self.inner.peak_in_flight.load(Ordering::Relaxed)
    }

    /// Callers waiting for a slot now (a gauge).
    pub fn queued(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Callers refused so far because the queue was full or their wait ran out (a counter).
    pub fn refused(&self) -> u64 {
        self.inner.refused.load(Ordering::Relaxed)
    }

    /// Hashes a password to a PHC string (`$argon2id$v=19$...`) with a random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.run_with_memory(move |memory| hash_with(password.as_bytes(), memory))
            .await?
    }

    /// Whether `password` matches the PHC string `hash`. A malformed hash never matches,
    /// after the same work as a wrong password.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.run_with_memory(move |memory| verify_with(password.as_bytes(), &hash, memory))
            .await
    }

    /// Runs `work` in one of the pool's slots, on the blocking thread pool. Exposed so
    /// that other CPU-heavy work (or a test) can share the same bound.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.run_with_memory(move |_| work()).await
    }

    async fn run_with_memory<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    {
        let permit = self.acquire().await?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _slot = Slot::enter(&inner, permit);
            let mut memory = inner
                .memory
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop()
                .unwrap_or_default();
            let result = work(&mut memory);
            inner
                .memory
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(memory);
            result
        })
        .await
        .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("password task")))
    }

    /// A slot now, or after a bounded wait in a bounded queue.
    async fn acquire(&self) -> Result<OwnedSemaphorePermit, AppError> {
        let inner = &self.inner;
        if let Ok(permit) = inner.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let limits = inner.limits;
        if inner.waiting.fetch_add(1, Ordering::AcqRel) >= limits.queue {
            inner.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(self.refuse("the password queue is full"));
        }
        let waited =
            tokio::time::timeout(limits.queue_timeout, inner.permits.clone().acquire_owned()).await;
        inner.waiting.fetch_sub(1, Ordering::AcqRel);
        match waited {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::Internal(
                anyhow::Error::new(closed).context("password pool closed"),
            )),
            Err(_) => Err(self.refuse("no password slot within the queue timeout")),
        }
    }

    fn refuse(&self, why: &'static str) -> AppError {
        self.inner.refused.fetch_add(1, Ordering::Relaxed);
        let limits = self.inner.limits;
        AppError::Unavailable(anyhow::anyhow!(
            "{why} (PASSWORD_HASH_CONCURRENCY={}, PASSWORD_HASH_QUEUE={}, PASSWORD_HASH_QUEUE_TIMEOUT={:?})",
            limits.concurrency,
            limits.queue,
            limits.queue_timeout
        ))
    }
}

/// Counts a running job for as long as it holds its permit, even if it panics.
struct Slot<'a> {
    inner: &'a Inner,
    _permit: OwnedSemaphorePermit,
}

impl<'a> Slot<'a> {
    fn enter(inner: &'a Inner, permit: OwnedSemaphorePermit) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
        inner.peak_in_flight.fetch_max(now, Ordering::AcqRel);
        Self {
            inner,
            _permit: permit,
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.inner.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Grows `memory` to at least `blocks` (only the first use of a slot, or a stored
/// hash with a larger memory cost than ours).
fn blocks_for<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::new());
    }
    &mut memory[..needed]
}

fn hash_with(password: &[u8], memory: &mut Vec<Block>) -> Result<String, AppError> {
    let failed = |err: &dyn std::fmt::Display| {
        AppError::Internal(anyhow::anyhow!("hashing a password: {err}"))
    };
    let params = Params::default();
    let salt = Salt::generate();
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password,
            salt.as_ref(),
            &mut output,
            blocks_for(memory, &params),
        )
        .map_err(|err| failed(&err))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|err| failed(&err))?,
        salt: Some(salt),
        hash: Some(Output::new(&output).map_err(|err| failed(&err))?),
    };
    Ok(hash.to_string())
}

fn verify_with(password: &[u8], hash: &str, memory: &mut Vec<Block>) -> bool {
    let Some((argon2, params, salt, expected)) = parse(hash) else {
        // Spend what a real verification spends, so a broken row is not a timing oracle.
        let _ = hash_with(password, memory);
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    argon2
        .hash_password_into_with_memory(
            password,
            salt.as_ref(),
            &mut computed,
            blocks_for(memory, &params),
        )
        .is_ok()
        // `Output`'s equality is constant-time.
        && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

fn parse(hash: &str) -> Option<(Argon2<'static>, Params, Salt, Output)> {
    let parsed = PasswordHash::new(hash).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    let version = match parsed.version {
        Some(version) => Version::try_from(version).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    Some((
        Argon2::new(algorithm, version, params.clone()),
        params,
        salt,
        expected,
    ))
}

/// A valid hash of a random password, verified against when the user does not
/// exist so that an unknown username costs as much time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: String = uuid::Uuid::new_v4().to_string();
        hash_with(random.as_bytes(), &mut Vec::new())
            .expect("hashing a random password at start-up")
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use argon2::password_hash::PasswordHasher;

    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let pool = PasswordPool::default();
        let password = Password::parse("correct horse").unwrap();
        let hash = pool.hash(&password).await.unwrap();

        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(pool.verify("correct horse", &hash).await.unwrap());
        assert!(!pool.verify("correct horsE", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_of_the_argon2_crate_verify_and_ours_verify_there() {
        let pool = PasswordPool::default();
        let theirs = Argon2::default()
            .hash_password(b"secret123")
            .unwrap()
            .to_string();
        assert!(pool.verify("secret123", &theirs).await.unwrap());

        let ours = pool
            .hash(&Password::parse("secret123").unwrap())
            .await
            .unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2::password_hash::PasswordVerifier::verify_password(
                &Argon2::default(),
                b"secret123",
                &parsed
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let pool = PasswordPool::default();
        let password = Password::parse("secret1").unwrap();
        assert_ne!(
            pool.hash(&password).await.unwrap(),
            pool.hash(&password).await.unwrap()
        );
    }

    #[tokio::test]
    async fn a_malformed_hash_never_matches() {
        let pool = PasswordPool::default();
        assert!(!pool.verify("anything", "not-a-phc-string").await.unwrap());
        assert!(!pool.verify("anything", dummy_hash()).await.unwrap());
    }

    #[tokio::test]
    async fn a_busy_pool_with_no_queue_refuses_at_once() {
        let pool = PasswordPool::new(PasswordLimits {
            concurrency: 1,
            queue: 0,
            queue_timeout: Duration::from_secs(60),
        });
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let holder = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    let _ = started.send(());
                    let _ = released.recv();
                })
                .await
            }
        });
        running.await.unwrap();

        let refused = pool.verify("secret1", dummy_hash()).await;
        assert!(
            matches!(refused, Err(AppError::Unavailable(_))),
            "{refused:?}"
        );
        assert_eq!(pool.refused(), 1);

        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert!(!pool.verify("secret1", dummy_hash()).await.unwrap());
        assert_eq!(pool.peak_in_flight(), 1);
        assert_eq!(pool.in_flight(), 0);
    }
}
