// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct CountFailedLoginsParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub username: T1,
    pub window_seconds: f64,
    pub address: T2,
}
#[derive(Debug)]
pub struct RecordFailedLoginParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub username: T1,
    pub address: T2,
    pub window_seconds: f64,
}
#[derive(Clone, Copy, Debug)]
pub struct PurgeExpiredFailedLoginsParams {
    pub window_seconds: f64,
    pub batch_size: i64,
}
#[derive(Debug, Clone, PartialEq, Copy, serde::Serialize, serde::Deserialize)]
pub struct FailedLoginCounts {
    pub username_failures: i32,
    pub address_failures: i32,
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct FailedLoginCountsQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<FailedLoginCounts, tokio_postgres::Error>,
    mapper: fn(FailedLoginCounts) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> FailedLoginCountsQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(FailedLoginCounts) -> R,
    ) -> FailedLoginCountsQuery<'c, 'a, 's, C, R, N> {
        FailedLoginCountsQuery {
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
pub struct CountFailedLoginsStmt(&'static str, Option<tokio_postgres::Statement>);
/// Failures in the current window of a username and of a client address (0 when none),
/// in one round trip. A window is `window_seconds` long from its first failure.
pub fn count_failed_logins() -> CountFailedLoginsStmt {
    CountFailedLoginsStmt(
        "SELECT COALESCE((SELECT failures FROM failed_logins WHERE scope = 'username' AND subject = $1 AND window_started_at > now() - make_interval(secs => $2)), 0) AS username_failures, COALESCE((SELECT failures FROM failed_logins WHERE scope = 'address' AND subject = $3 AND window_started_at > now() - make_interval(secs => $2)), 0) AS address_failures",
        None,
    )
}
impl CountFailedLoginsStmt {
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
        username: &'a T1,
        window_seconds: &'a f64,
        address: &'a T2,
    ) -> FailedLoginCountsQuery<'c, 'a, 's, C, FailedLoginCounts, 3> {
        FailedLoginCountsQuery {
            client,
            params: [username, window_seconds, address],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<FailedLoginCounts, tokio_postgres::Error> {
                    Ok(FailedLoginCounts {
                        username_failures: row.try_get(0)?,
                        address_failures: row.try_get(1)?,
                    })
                },
            mapper: |it| FailedLoginCounts::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CountFailedLoginsParams<T1, T2>,
        FailedLoginCountsQuery<'c, 'a, 's, C, FailedLoginCounts, 3>,
        C,
    > for CountFailedLoginsStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CountFailedLoginsParams<T1, T2>,
    ) -> FailedLoginCountsQuery<'c, 'a, 's, C, FailedLoginCounts, 3> {
        self.bind(
            client,
            &params.username,
            &params.window_seconds,
            &params.address,
        )
    }
}
pub struct RecordFailedLoginStmt(&'static str, Option<tokio_postgres::Statement>);
/// Counts one failure for the username and for the address. An expired window
/// restarts at one. Rows are written username first, then address, in every call.
pub fn record_failed_login() -> RecordFailedLoginStmt {
    RecordFailedLoginStmt(
        "INSERT INTO failed_logins AS f (scope, subject, failures, window_started_at) VALUES ('username', $1, 1, now()), ('address', $2, 1, now()) ON CONFLICT (scope, subject) DO UPDATE SET failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $3) THEN f.failures + 1 ELSE 1 END, window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $3) THEN f.window_started_at ELSE now() END",
        None,
    )
}
impl RecordFailedLoginStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        username: &'a T1,
        address: &'a T2,
        window_seconds: &'a f64,
    ) -> Result<u64, tokio_postgres::Error> {
        client
            .execute(self.0, &[username, address, window_seconds])
            .await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        RecordFailedLoginParams<T1, T2>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for RecordFailedLoginStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a RecordFailedLoginParams<T1, T2>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(
            client,
            &params.username,
            &params.address,
            &params.window_seconds,
        ))
    }
}
pub struct ResetFailedLoginsOfUsernameStmt(&'static str, Option<tokio_postgres::Statement>);
/// A successful login clears the username's count (not the address's).
pub fn reset_failed_logins_of_username() -> ResetFailedLoginsOfUsernameStmt {
    ResetFailedLoginsOfUsernameStmt(
        "DELETE FROM failed_logins WHERE scope = 'username' AND subject = $1",
        None,
    )
}
impl ResetFailedLoginsOfUsernameStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>(
        &'s self,
        client: &'c C,
        username: &'a T1,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[username]).await
    }
}
pub struct PurgeExpiredFailedLoginsStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes at most `batch_size` counters whose window has passed. Rows locked by a
/// login in progress are skipped, so the purge never waits on one.
pub fn purge_expired_failed_logins() -> PurgeExpiredFailedLoginsStmt {
    PurgeExpiredFailedLoginsStmt(
        "DELETE FROM failed_logins WHERE ctid = ANY(ARRAY( SELECT ctid FROM failed_logins WHERE window_started_at <= now() - make_interval(secs => $1) ORDER BY window_started_at LIMIT $2 FOR UPDATE SKIP LOCKED))",
        None,
    )
}
impl PurgeExpiredFailedLoginsStmt {
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
        window_seconds: &'a f64,
        batch_size: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[window_seconds, batch_size]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        PurgeExpiredFailedLoginsParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for PurgeExpiredFailedLoginsStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a PurgeExpiredFailedLoginsParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.window_seconds, &params.batch_size))
    }
}
