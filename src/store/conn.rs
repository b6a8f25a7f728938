//! A pooled connection checked out for one unit of work, used only in the ways the
//! pool mode allows (`DB_POOL_MODE`, see `PoolMode`).
//!
//! - `Session`: a pooled connection is one PostgreSQL session for its whole life, so
//!   statements are prepared once and cached on it, and a single statement runs in
//!   autocommit.
//! - `Transaction`: a pooler (PgBouncer, RDS Proxy) may give every transaction another
//!   server session, so nothing may outlive a transaction. Every unit of work is a
//!   transaction, with the timeouts set in it by `SET LOCAL`. Statements go out
//!   unnamed with their parameter types (Parse, Bind, Execute in one message), so none
//!   is left on the server; the types of each query are learned once per pool (see
//!   `Shapes`).
//!
//! Either way the BEGIN, when there is one, is not a round trip of its own: it goes
//! out with the unit's first statement; and in transaction mode the COMMIT of a unit
//! whose statements are known in advance goes out with its last one.

use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    sync::{
        Arc, Mutex, OnceLock, RwLock,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use codegen::client::GenericClient;
use deadpool_postgres::Object;
use tokio_postgres::{
    Client, Error, Row, RowStream, Statement, ToStatement,
    types::{BorrowToSql, ToSql, Type},
};

use crate::config::PoolMode;

/// Transaction mode: what each query needs to go out unnamed, learned once per pool.
///
/// The generated code asks for a prepared `Statement` and hands it back to execute.
/// The first time a query is seen it is prepared for real, inside the unit's
/// transaction, to learn its parameter types; that server-side statement is
/// deallocated at once (still inside the transaction) and the `Statement` is kept only
/// as a token to hand out. Every execution then sends the query text with those types.
#[derive(Default)]
pub(crate) struct Shapes(RwLock<HashMap<Box<str>, Arc<Shape>>>);

pub(crate) struct Shape {
    query: Box<str>,
    types: Box<[Type]>,
    /// What `prepare` returns; the generated code only passes it back.
    token: Statement,
}

impl Shapes {
    fn get(&self, query: &str) -> Option<Arc<Shape>> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(query)
            .cloned()
    }

    fn insert(&self, query: &str, token: Statement) -> Arc<Shape> {
        let mut shapes = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        shapes
            .entry(query.into())
            .or_insert_with(|| {
                Arc::new(Shape {
                    query: query.into(),
                    types: token.params().into(),
                    token,
                })
            })
            .clone()
    }
}

/// A statement being prepared, in the order the statements will be executed.
type Slot = Arc<OnceLock<Arc<Shape>>>;

/// The connection a unit runs on.
#[expect(
    clippy::large_enum_variant,
    reason = "one per unit of work, held in that unit's future: boxing would only add an allocation"
)]
enum Handle {
    Own(Object),
    /// Session mode, a single read: a connection other reads use at the same time.
    Shared(Arc<Object>),
}

pub(crate) struct Conn {
    /// `None` only once the connection went back to the pool or was closed.
    object: Option<Handle>,
    mode: PoolMode,
    /// What opens the transaction, sent with the first statement; `None` in autocommit.
    begin: Option<Arc<str>>,
    /// Whether `begin` went out (or may have), so the transaction must be ended.
    begun: AtomicBool,
    /// Transaction mode: how many more statements until the one that carries the
    /// COMMIT (0: the unit ends with `finish`).
    statements_left: AtomicUsize,
    shapes: Arc<Shapes>,
    /// Transaction mode: the shapes of the statements prepared and not yet executed.
    /// Statements are executed in the order they were prepared (the generated code
    /// prepares right before it executes; a pipelined unit prepares all its statements
    /// first, in order).
    prepared: Mutex<VecDeque<Slot>>,
}

impl Conn {
    /// A single statement's unit: autocommit in session mode, a transaction otherwise
    /// (whose BEGIN and COMMIT go out with the statement).
    pub(crate) fn single(
        object: Object,
        mode: PoolMode,
        transaction_begin: &Arc<str>,
        shapes: &Arc<Shapes>,
    ) -> Self {
        let conn = match mode {
            PoolMode::Session => Self::new(object, mode, None, shapes),
            PoolMode::Transaction => {
                Self::new(object, mode, Some(transaction_begin.clone()), shapes)
            }
        };
        conn.commit_after(1);
        conn
    }

    /// A transaction in either mode; `begin` also sets the timeouts in transaction mode.
    pub(crate) fn transaction(
        object: Object,
        mode: PoolMode,
        begin: &Arc<str>,
        shapes: &Arc<Shapes>,
    ) -> Self {
        Self::new(object, mode, Some(begin.clone()), shapes)
    }

    /// A single read in session mode, on a shared connection: autocommit.
    pub(crate) fn shared(object: Arc<Object>, shapes: &Arc<Shapes>) -> Self {
        Self::with(Handle::Shared(object), PoolMode::Session, None, shapes)
    }

    fn new(object: Object, mode: PoolMode, begin: Option<Arc<str>>, shapes: &Arc<Shapes>) -> Self {
        Self::with(Handle::Own(object), mode, begin, shapes)
    }

    fn with(object: Handle, mode: PoolMode, begin: Option<Arc<str>>, shapes: &Arc<Shapes>) -> Self {
        Self {
            object: Some(object),
            mode,
            begin,
            begun: AtomicBool::new(false),
            statements_left: AtomicUsize::new(0),
            shapes: shapes.clone(),
            prepared: Mutex::default(),
        }
    }

    /// In a transaction, the COMMIT goes out with the `count`th statement from now
    /// (one that returns a single row or none, or a count), in the same round trip;
    /// without one (a single statement in session mode) there is nothing to commit.
    pub(crate) fn commit_after(&self, count: usize) {
        self.statements_left.store(count, Ordering::Release);
    }

    fn object(&self) -> &Object {
        match self
            .object
            .as_ref()
            .expect("a Conn is only used before it is finished")
        {
            Handle::Own(object) => object,
            Handle::Shared(object) => object,
        }
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

    /// Runs a statement (with its BEGIN if it is the first), and the COMMIT behind it
    /// if it is the unit's last. `work` must send its request at its first poll and
    /// read its whole answer: the COMMIT's answer comes after it.
    async fn statement<T>(&self, work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let last = self
            .statements_left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(1)
            })
            == Ok(1);
        if !last || self.begin.is_none() {
            return self.first(work).await;
        }
        // After an error above it, PostgreSQL turns this COMMIT into a ROLLBACK.
        let (done, ended) = tokio::join!(
            biased;
            self.first(work),
            self.client().batch_execute("COMMIT"),
        );
        // Committed, rolled back, or the connection broke (the pool then drops it).
        self.begun.store(false, Ordering::Release);
        let value = done?;
        ended?;
        Ok(value)
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

    /// Transaction mode: the token for `query`, learning its shape the first time.
    async fn shape_token(&self, query: &str) -> Result<Statement, Error> {
        // The slot is taken before any await, so slots follow the order of the calls.
        let slot = Slot::default();
        self.prepared_queue().push_back(slot.clone());
        let shape = match self.shapes.get(query) {
            Some(shape) => shape,
            None => {
                let statement = self.first(self.client().prepare(query)).await?;
                // Nothing named may outlive the transaction: only the shape is kept.
                self.client().batch_execute("DEALLOCATE ALL").await?;
                self.shapes.insert(query, statement)
            }
        };
        let token = shape.token.clone();
        // Set once: this slot is only ever filled here.
        let _ = slot.set(shape);
        Ok(token)
    }

    fn prepared_queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Slot>> {
        self.prepared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Transaction mode: the shape of the statement executed now (the oldest prepared).
    /// `None` in session mode, and for a statement that did not come from `prepare`,
    /// which then goes out as it is.
    fn next_shape(&self) -> Option<Arc<Shape>> {
        if self.mode == PoolMode::Session {
            return None;
        }
        self.prepared_queue()
            .pop_front()
            .and_then(|slot| slot.get().cloned())
    }
}

/// The parameters with the types their query was prepared with.
fn typed<'p>(
    params: &'p [&'p (dyn ToSql + Sync)],
    shape: &Shape,
) -> Vec<(&'p (dyn ToSql + Sync), Type)> {
    params
        .iter()
        .copied()
        .zip(shape.types.iter().cloned())
        .collect()
}

/// Parameters paired with their types only when the request is encoded, so that
/// nothing but the parameters themselves is held until then.
struct WithTypes<'t, I> {
    params: I,
    types: &'t [Type],
}

impl<'t, I: IntoIterator> IntoIterator for WithTypes<'t, I> {
    type Item = (I::Item, Type);
    type IntoIter = std::iter::Zip<I::IntoIter, std::iter::Cloned<std::slice::Iter<'t, Type>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.params.into_iter().zip(self.types.iter().cloned())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.begun.load(Ordering::Acquire) {
            return;
        }
        // Only an own connection ever begins a transaction.
        let Some(Handle::Own(object)) = self.object.take() else {
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
            // Cached on the connection; preparing needs no transaction.
            PoolMode::Session => self.object().prepare_cached(query).await,
            PoolMode::Transaction => self.shape_token(query).await,
        }
    }

    async fn execute<T>(&self, query: &T, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        match self.next_shape() {
            Some(shape) => {
                let params = typed(params, &shape);
                self.statement(self.client().execute_typed(&shape.query, &params))
                    .await
            }
            None => self.statement(self.client().execute(query, params)).await,
        }
    }

    async fn query_one<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        match self.next_shape() {
            Some(shape) => {
                let params = typed(params, &shape);
                self.statement(self.client().query_typed_one(&shape.query, &params))
                    .await
            }
            None => {
                self.statement(self.client().query_one(statement, params))
                    .await
            }
        }
    }

    async fn query_opt<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        match self.next_shape() {
            Some(shape) => {
                let params = typed(params, &shape);
                self.statement(self.client().query_typed_opt(&shape.query, &params))
                    .await
            }
            None => {
                self.statement(self.client().query_opt(statement, params))
                    .await
            }
        }
    }

    async fn query<T>(&self, query: &T, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
    {
        match self.next_shape() {
            Some(shape) => {
                let params = typed(params, &shape);
                self.statement(self.client().query_typed(&shape.query, &params))
                    .await
            }
            None => self.statement(self.client().query(query, params)).await,
        }
    }

    /// The rows come back as a stream that the caller reads later, so no COMMIT can be
    /// queued behind them: a unit that ends with this is committed by `finish`.
    async fn query_raw<T, I>(&self, statement: &T, params: I) -> Result<RowStream, Error>
    where
        T: ?Sized + ToStatement + Sync + Send,
        I: IntoIterator + Sync + Send,
        I::IntoIter: ExactSizeIterator,
        I::Item: BorrowToSql,
    {
        self.statements_left.store(0, Ordering::Release);
        match self.next_shape() {
            Some(shape) => {
                let params = WithTypes {
                    params,
                    types: &shape.types,
                };
                self.first(self.client().query_typed_raw(&shape.query, params))
                    .await
            }
            None => self.first(self.client().query_raw(statement, params)).await,
        }
    }
}
