// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BlockedQuery {
    pub blocked_pid: i32,
    pub blocked_user: Option<String>,
    pub blocking_pid: i32,
    pub blocking_user: Option<String>,
    pub blocked_statement: Option<String>,
    pub blocking_statement: Option<String>,
    pub waiting_seconds: Option<f64>,
}
pub struct BlockedQueryBorrowed<'a> {
    pub blocked_pid: i32,
    pub blocked_user: Option<&'a str>,
    pub blocking_pid: i32,
    pub blocking_user: Option<&'a str>,
    pub blocked_statement: Option<&'a str>,
    pub blocking_statement: Option<&'a str>,
    pub waiting_seconds: Option<f64>,
}
impl<'a> From<BlockedQueryBorrowed<'a>> for BlockedQuery {
    fn from(
        BlockedQueryBorrowed {
            blocked_pid,
            blocked_user,
            blocking_pid,
            blocking_user,
            blocked_statement,
            blocking_statement,
            waiting_seconds,
        }: BlockedQueryBorrowed<'a>,
    ) -> Self {
        Self {
            blocked_pid,
            blocked_user: blocked_user.map(|v| v.into()),
            blocking_pid,
            blocking_user: blocking_user.map(|v| v.into()),
            blocked_statement: blocked_statement.map(|v| v.into()),
            blocking_statement: blocking_statement.map(|v| v.into()),
            waiting_seconds,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct BlockedQueryQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<BlockedQueryBorrowed, tokio_postgres::Error>,
    mapper: fn(BlockedQueryBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> BlockedQueryQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(BlockedQueryBorrowed) -> R,
    ) -> BlockedQueryQuery<'c, 'a, 's, C, R, N> {
        BlockedQueryQuery {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct BlockedQueriesStmt(&'static str, Option<tokio_postgres::Statement>);
/// The course's lock monitor: every backend of this database waiting for a lock, paired with
/// each backend that holds it, longest wait first. `waiting_seconds` counts from the lock wait's
/// start (`pg_locks.waitstart`), else from the waiting statement's start.
pub fn blocked_queries() -> BlockedQueriesStmt {
    BlockedQueriesStmt(
        "SELECT blocked_locks.pid AS blocked_pid, blocked_activity.usename::text AS blocked_user, blocking_locks.pid AS blocking_pid, blocking_activity.usename::text AS blocking_user, blocked_activity.query AS blocked_statement, blocking_activity.query AS blocking_statement, EXTRACT(EPOCH FROM clock_timestamp() - COALESCE(blocked_locks.waitstart, blocked_activity.query_start))::float8 AS waiting_seconds FROM pg_catalog.pg_locks blocked_locks JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = blocked_locks.pid JOIN pg_catalog.pg_locks blocking_locks ON blocking_locks.locktype = blocked_locks.locktype AND blocking_locks.database IS NOT DISTINCT FROM blocked_locks.database AND blocking_locks.relation IS NOT DISTINCT FROM blocked_locks.relation AND blocking_locks.page IS NOT DISTINCT FROM blocked_locks.page AND blocking_locks.tuple IS NOT DISTINCT FROM blocked_locks.tuple AND blocking_locks.virtualxid IS NOT DISTINCT FROM blocked_locks.virtualxid AND blocking_locks.transactionid IS NOT DISTINCT FROM blocked_locks.transactionid AND blocking_locks.classid IS NOT DISTINCT FROM blocked_locks.classid AND blocking_locks.objid IS NOT DISTINCT FROM blocked_locks.objid AND blocking_locks.objsubid IS NOT DISTINCT FROM blocked_locks.objsubid AND blocking_locks.pid != blocked_locks.pid JOIN pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = blocking_locks.pid WHERE NOT blocked_locks.granted AND blocked_activity.datname = current_database() ORDER BY waiting_seconds DESC NULLS LAST, blocked_locks.pid, blocking_locks.pid",
        None,
    )
}
impl BlockedQueriesStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
    ) -> BlockedQueryQuery<'c, 'a, 's, C, BlockedQuery, 0> {
        BlockedQueryQuery {
            client,
            params: [],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<BlockedQueryBorrowed, tokio_postgres::Error> {
                    Ok(BlockedQueryBorrowed {
                        blocked_pid: row.try_get(0)?,
                        blocked_user: row.try_get(1)?,
                        blocking_pid: row.try_get(2)?,
                        blocking_user: row.try_get(3)?,
                        blocked_statement: row.try_get(4)?,
                        blocking_statement: row.try_get(5)?,
                        waiting_seconds: row.try_get(6)?,
                    })
                },
            mapper: |it| BlockedQuery::from(it),
        }
    }
}
