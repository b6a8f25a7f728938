// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct CreateSessionParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
> {
    pub id: uuid::Uuid,
    pub username: T1,
    pub refresh_token: T2,
    pub user_agent: T3,
    pub client_ip: T4,
    pub is_blocked: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Clone, Copy, Debug)]
pub struct PurgeExpiredSessionsParams {
    pub retention_seconds: f64,
    pub batch_size: i64,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub id: uuid::Uuid,
    pub username: String,
    pub refresh_token: String,
    pub user_agent: String,
    pub client_ip: String,
    pub is_blocked: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
pub struct SessionBorrowed<'a> {
    pub id: uuid::Uuid,
    pub username: &'a str,
    pub refresh_token: &'a str,
    pub user_agent: &'a str,
    pub client_ip: &'a str,
    pub is_blocked: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<SessionBorrowed<'a>> for Session {
    fn from(
        SessionBorrowed {
            id,
            username,
            refresh_token,
            user_agent,
            client_ip,
            is_blocked,
            expires_at,
            created_at,
        }: SessionBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            username: username.into(),
            refresh_token: refresh_token.into(),
            user_agent: user_agent.into(),
            client_ip: client_ip.into(),
            is_blocked,
            expires_at,
            created_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct SessionQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<SessionBorrowed, tokio_postgres::Error>,
    mapper: fn(SessionBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> SessionQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(SessionBorrowed) -> R) -> SessionQuery<'c, 'a, 's, C, R, N> {
        SessionQuery {
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
pub struct CreateSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// Stores the session behind a refresh token; `id` is the refresh token's id.
pub fn create_session() -> CreateSessionStmt {
    CreateSessionStmt(
        "INSERT INTO sessions (id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at",
        None,
    )
}
impl CreateSessionStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<
        'c,
        'a,
        's,
        C: GenericClient,
        T1: crate::StringSql,
        T2: crate::StringSql,
        T3: crate::StringSql,
        T4: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        id: &'a uuid::Uuid,
        username: &'a T1,
        refresh_token: &'a T2,
        user_agent: &'a T3,
        client_ip: &'a T4,
        is_blocked: &'a bool,
        expires_at: &'a chrono::DateTime<chrono::Utc>,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 7> {
        SessionQuery {
            client,
            params: [
                id,
                username,
                refresh_token,
                user_agent,
                client_ip,
                is_blocked,
                expires_at,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<SessionBorrowed, tokio_postgres::Error> {
                    Ok(SessionBorrowed {
                        id: row.try_get(0)?,
                        username: row.try_get(1)?,
                        refresh_token: row.try_get(2)?,
                        user_agent: row.try_get(3)?,
                        client_ip: row.try_get(4)?,
                        is_blocked: row.try_get(5)?,
                        expires_at: row.try_get(6)?,
                        created_at: row.try_get(7)?,
                    })
                },
            mapper: |it| Session::from(it),
        }
    }
}
impl<
    'c,
    'a,
    's,
    C: GenericClient,
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CreateSessionParams<T1, T2, T3, T4>,
        SessionQuery<'c, 'a, 's, C, Session, 7>,
        C,
    > for CreateSessionStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CreateSessionParams<T1, T2, T3, T4>,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 7> {
        self.bind(
            client,
            &params.id,
            &params.username,
            &params.refresh_token,
            &params.user_agent,
            &params.client_ip,
            &params.is_blocked,
            &params.expires_at,
        )
    }
}
pub struct GetSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// One session by id.
pub fn get_session() -> GetSessionStmt {
    GetSessionStmt(
        "SELECT id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at FROM sessions WHERE id = $1",
        None,
    )
}
impl GetSessionStmt {
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
        id: &'a uuid::Uuid,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 1> {
        SessionQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<SessionBorrowed, tokio_postgres::Error> {
                    Ok(SessionBorrowed {
                        id: row.try_get(0)?,
                        username: row.try_get(1)?,
                        refresh_token: row.try_get(2)?,
                        user_agent: row.try_get(3)?,
                        client_ip: row.try_get(4)?,
                        is_blocked: row.try_get(5)?,
                        expires_at: row.try_get(6)?,
                        created_at: row.try_get(7)?,
                    })
                },
            mapper: |it| Session::from(it),
        }
    }
}
pub struct BlockSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// Blocks a session (logout): its refresh token stops working.
pub fn block_session() -> BlockSessionStmt {
    BlockSessionStmt(
        "UPDATE sessions SET is_blocked = true WHERE id = $1 RETURNING id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at",
        None,
    )
}
impl BlockSessionStmt {
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
        id: &'a uuid::Uuid,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 1> {
        SessionQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<SessionBorrowed, tokio_postgres::Error> {
                    Ok(SessionBorrowed {
                        id: row.try_get(0)?,
                        username: row.try_get(1)?,
                        refresh_token: row.try_get(2)?,
                        user_agent: row.try_get(3)?,
                        client_ip: row.try_get(4)?,
                        is_blocked: row.try_get(5)?,
                        expires_at: row.try_get(6)?,
                        created_at: row.try_get(7)?,
                    })
                },
            mapper: |it| Session::from(it),
        }
    }
}
pub struct PurgeExpiredSessionsStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes at most `batch_size` sessions that expired more than `retention_seconds` ago.
pub fn purge_expired_sessions() -> PurgeExpiredSessionsStmt {
    PurgeExpiredSessionsStmt(
        "DELETE FROM sessions WHERE ctid = ANY(ARRAY( SELECT ctid FROM sessions WHERE expires_at < now() - make_interval(secs => $1) ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED))",
        None,
    )
}
impl PurgeExpiredSessionsStmt {
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
        retention_seconds: &'a f64,
        batch_size: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client
            .execute(self.0, &[retention_seconds, batch_size])
            .await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        PurgeExpiredSessionsParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for PurgeExpiredSessionsStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a PurgeExpiredSessionsParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.retention_seconds, &params.batch_size))
    }
}
