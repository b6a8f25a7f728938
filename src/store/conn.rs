//! A pooled connection checked out for one unit of work, used only in the ways the
//! pool mode allows (`DB_POOL_MODE`, see `PoolMode`).
//!
//! - `Session`: a pooled connection is one PostgreSQL session for its whole life, so
//!   statements are prepared once and cached on it, and a single statement runs in
//!   autocommit.
//! - `Transaction`: a pooler (PgBouncer, RDS Proxy) may give every transaction another
//!   server session, so nothing may outlive a transaction. Every unit of work is a
//!   transaction; statements are prepared inside it and closed (when the generated
//!   code drops them) before it ends; the timeouts are set in it with `SET LOCAL`.
//!
//! Either way the BEGIN, when there is one, is not a round trip of its own: it goes
//! out with the unit's first statement.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use codegen::client::GenericClient;
use deadpool_postgres::Object;
use tokio_postgres::{
    Client, Error, Row, RowStream, Statement, ToStatement,
    types::{BorrowToSql, ToSql},
};

use crate::config::PoolMode;

pub(crate) struct Conn {
    /// `None` only once the connection went back to the pool or was closed.
    object: Option<Object>,
    mode: PoolMode,
    /// What opens the transaction, sent with the first statement; `None` in autocommit.
    begin: Option<Arc<str>>,
    /// Whether `begin` went out (or may have), so the transaction must be ended.
    begun: AtomicBool,
}

impl Conn {
    /// A single statement's unit: autocommit in session mode, a transaction otherwise.
    pub(crate) fn single(object: Object, mode: PoolMode, transaction_begin: &Arc<str>) -> Self {
        let begin = match mode {
            PoolMode::Session => None,
            PoolMode::Transaction => Some(transaction_begin.clone()),
        };
        Self::new(object, mode, begin)
    }

    /// A transaction in either mode; `begin` also sets the timeouts in transaction mode.
    pub(crate) fn transaction(object: Object, mode: PoolMode, begin: &Arc<str>) -> Self {
        Self::new(object, mode, Some(begin.clone()))
    }

    fn new(object: Object, mode: PoolMode, begin: Option<Arc<str>>) -> Self {
        Self {
            object: Some(object),
            mode,
            begin,
            begun: AtomicBool::new(false),
        }
    }

    fn object(&self) -> &Object {
        self.object
            .as_ref()
            .expect("a Conn is only used before it is finished")
    }

    fn client(&self) -> &Client {
        self.object()
    }

    /// Runs `work`, sending the pending BEGIN ahead of it in the same round trip.
    async fn first<T>(&self, work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let Some(begin) = self.begin.as_deref() else {
            return work.await;
        };
        if self.begun.swap(true, Ordering::AcqRel) {
            return work.await;
        }
        // `biased` polls in order: the BEGIN is queued on the connection before the
        // statement. After a failed BEGIN the statement fails too.
        let (begun, done) = tokio::join!(biased; self.client().batch_execute(begin), work);
        begun?;
        done
    }

    /// Ends the unit: COMMIT after success, ROLLBACK after an error (whose cause is kept).
    /// Then the connection goes back to the pool.
    pub(crate) async fn finish<T, E>(self, result: Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        if !self.begun.load(Ordering::Acquire) {
            return result;
        }
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.client().batch_execute(end).await;
        // Committed, rolled back, or the connection broke (the pool then drops it).
        self.begun.store(false, Ordering::Release);
        match (result, ended) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(err)) => Err(err.into()),
            (Err(err), _) => Err(err),
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.begun.load(Ordering::Acquire) {
            return;
        }
        let Some(object) = self.object.take() else {
            return;
        };
        // The request was cancelled inside its transaction (its client went away):
        // roll back before the connection is used again, or close it.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if object.batch_execute("ROLLBACK").await.is_err() {
                        drop(Object::take(object));
                    }
                });
            }
            Err(_) => drop(Object::take(object)),
        }
    }
}

impl GenericClient for Conn {
    /// Every statement goes through `prepare`, which decides what may be cached.
    fn stmt_cache() -> bool {
        true
    }

    async fn prepare(&self, query: &str) -> Result<Statement, Error> {
        match self.mode {
            PoolMode::Session => self.first(self.object().prepare_cached(query)).await,
            // Named, uncached, and closed when dropped: inside this transaction.
            PoolMode::Transaction => self.first(self.client().prepare(query)).await,
        }
    }

    async fn execute<T>(&self, query: &T, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        self.first(self.client().execute(query, params)).await
    }

    async fn query_one<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        self.first(self.client().query_one(statement, params)).await
    }

    async fn query_opt<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        self.first(self.client().query_opt(statement, params)).await
    }

    async fn query<T>(&self, query: &T, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        self.first(self.client().query(query, params)).await
    }

    async fn query_raw<T, I>(&self, statement: &T, params: I) -> Result<RowStream, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
        I: IntoIterator + Sync + Send,
        I::IntoIter: ExactSizeIterator,
        I::Item: BorrowToSql,
    {
        self.first(self.client().query_raw(statement, params)).await
    }
}
