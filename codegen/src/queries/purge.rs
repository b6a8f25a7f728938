// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug, Clone, PartialEq, Copy, serde::Serialize, serde::Deserialize)]
pub struct PurgeLock {
    pub acquired: bool,
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct PurgeLockQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<PurgeLock, tokio_postgres::Error>,
    mapper: fn(PurgeLock) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> PurgeLockQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(PurgeLock) -> R) -> PurgeLockQuery<'c, 'a, 's, C, R, N> {
        PurgeLockQuery {
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
pub struct TryPurgeLockStmt(&'static str, Option<tokio_postgres::Statement>);
/// Takes the purge's advisory lock for this transaction, without waiting: `acquired`
/// is false while another replica purges. Released at commit (safe behind a
/// transaction-mode pooler, unlike a session lock).
pub fn try_purge_lock() -> TryPurgeLockStmt {
    TryPurgeLockStmt("SELECT pg_try_advisory_xact_lock($1) AS acquired", None)
}
impl TryPurgeLockStmt {
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
        lock_id: &'a i64,
    ) -> PurgeLockQuery<'c, 'a, 's, C, PurgeLock, 1> {
        PurgeLockQuery {
            client,
            params: [lock_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<PurgeLock, tokio_postgres::Error> {
                Ok(PurgeLock {
                    acquired: row.try_get(0)?,
                })
            },
            mapper: |it| PurgeLock::from(it),
        }
    }
}
