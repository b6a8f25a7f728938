// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct GetIdempotencyRecordParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub caller: T1,
    pub key: T2,
}
#[derive(Clone, Copy, Debug)]
pub struct PurgeExpiredIdempotencyKeysParams {
    pub ttl_seconds: f64,
    pub batch_size: i64,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IdempotencyRecord {
    pub caller: String,
    pub key: String,
    pub request_fingerprint: String,
    pub response_status: Option<i16>,
    pub response_body: Option<serde_json::Value>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
pub struct IdempotencyRecordBorrowed<'a> {
    pub caller: &'a str,
    pub key: &'a str,
    pub request_fingerprint: &'a str,
    pub response_status: Option<i16>,
    pub response_body: Option<postgres_types::Json<&'a serde_json::value::RawValue>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<IdempotencyRecordBorrowed<'a>> for IdempotencyRecord {
    fn from(
        IdempotencyRecordBorrowed {
            caller,
            key,
            request_fingerprint,
            response_status,
            response_body,
            created_at,
        }: IdempotencyRecordBorrowed<'a>,
    ) -> Self {
        Self {
            caller: caller.into(),
            key: key.into(),
            request_fingerprint: request_fingerprint.into(),
            response_status,
            response_body: response_body.map(|v| serde_json::from_str(v.0.get()).unwrap()),
            created_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct IdempotencyRecordQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<IdempotencyRecordBorrowed, tokio_postgres::Error>,
    mapper: fn(IdempotencyRecordBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> IdempotencyRecordQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(IdempotencyRecordBorrowed) -> R,
    ) -> IdempotencyRecordQuery<'c, 'a, 's, C, R, N> {
        IdempotencyRecordQuery {
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
pub struct GetIdempotencyRecordStmt(&'static str, Option<tokio_postgres::Statement>);
/// The stored outcome of an earlier request with the same (caller, key).
pub fn get_idempotency_record() -> GetIdempotencyRecordStmt {
    GetIdempotencyRecordStmt(
        "SELECT caller, key, request_fingerprint, response_status, response_body, created_at FROM idempotency_keys WHERE caller = $1 AND key = $2",
        None,
    )
}
impl GetIdempotencyRecordStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        caller: &'a T1,
        key: &'a T2,
    ) -> IdempotencyRecordQuery<'c, 'a, 's, C, IdempotencyRecord, 2> {
        IdempotencyRecordQuery {
            client,
            params: [caller, key],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<IdempotencyRecordBorrowed, tokio_postgres::Error> {
                Ok(IdempotencyRecordBorrowed {
                    caller: row.try_get(0)?,
                    key: row.try_get(1)?,
                    request_fingerprint: row.try_get(2)?,
                    response_status: row.try_get(3)?,
                    response_body: row.try_get(4)?,
                    created_at: row.try_get(5)?,
                })
            },
            mapper: |it| IdempotencyRecord::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        GetIdempotencyRecordParams<T1, T2>,
        IdempotencyRecordQuery<'c, 'a, 's, C, IdempotencyRecord, 2>,
        C,
    > for GetIdempotencyRecordStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a GetIdempotencyRecordParams<T1, T2>,
    ) -> IdempotencyRecordQuery<'c, 'a, 's, C, IdempotencyRecord, 2> {
        self.bind(client, &params.caller, &params.key)
    }
}
pub struct PurgeExpiredIdempotencyKeysStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes at most `batch_size` keys older than `ttl_seconds`. A key a transfer is
/// taking over right now is locked and skipped.
pub fn purge_expired_idempotency_keys() -> PurgeExpiredIdempotencyKeysStmt {
    PurgeExpiredIdempotencyKeysStmt(
        "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY( SELECT ctid FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))",
        None,
    )
}
impl PurgeExpiredIdempotencyKeysStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        ttl_seconds: &'a f64,
        batch_size: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[ttl_seconds, batch_size]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        PurgeExpiredIdempotencyKeysParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for PurgeExpiredIdempotencyKeysStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a PurgeExpiredIdempotencyKeysParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.ttl_seconds, &params.batch_size))
    }
}
