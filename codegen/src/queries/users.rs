// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct CreateUserParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
> {
    pub username: T1,
    pub hashed_password: T2,
    pub full_name: T3,
    pub email: T4,
}
#[derive(Debug)]
pub struct UpdateUserParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
> {
    pub hashed_password: Option<T1>,
    pub password_changed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub full_name: Option<T2>,
    pub email: Option<T3>,
    pub username: T4,
}
#[derive(Debug)]
pub struct SetUserRoleParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub role: T1,
    pub username: T2,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub username: String,
    pub hashed_password: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub password_changed_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
pub struct UserBorrowed<'a> {
    pub username: &'a str,
    pub hashed_password: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub password_changed_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<UserBorrowed<'a>> for User {
    fn from(
        UserBorrowed {
            username,
            hashed_password,
            full_name,
            email,
            role,
            password_changed_at,
            created_at,
        }: UserBorrowed<'a>,
    ) -> Self {
        Self {
            username: username.into(),
            hashed_password: hashed_password.into(),
            full_name: full_name.into(),
            email: email.into(),
            role: role.into(),
            password_changed_at,
            created_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct UserQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<UserBorrowed, tokio_postgres::Error>,
    mapper: fn(UserBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> UserQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(UserBorrowed) -> R) -> UserQuery<'c, 'a, 's, C, R, N> {
        UserQuery {
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
pub struct CreateUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Registers a user; the role starts as the column default ('depositor').
pub fn create_user() -> CreateUserStmt {
    CreateUserStmt(
        "INSERT INTO users (username, hashed_password, full_name, email) VALUES ($1, $2, $3, $4) RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at",
        None,
    )
}
impl CreateUserStmt {
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
        username: &'a T1,
        hashed_password: &'a T2,
        full_name: &'a T3,
        email: &'a T4,
    ) -> UserQuery<'c, 'a, 's, C, User, 4> {
        UserQuery {
            client,
            params: [username, hashed_password, full_name, email],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    username: row.try_get(0)?,
                    hashed_password: row.try_get(1)?,
                    full_name: row.try_get(2)?,
                    email: row.try_get(3)?,
                    role: row.try_get(4)?,
                    password_changed_at: row.try_get(5)?,
                    created_at: row.try_get(6)?,
                })
            },
            mapper: |it| User::from(it),
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
        CreateUserParams<T1, T2, T3, T4>,
        UserQuery<'c, 'a, 's, C, User, 4>,
        C,
    > for CreateUserStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CreateUserParams<T1, T2, T3, T4>,
    ) -> UserQuery<'c, 'a, 's, C, User, 4> {
        self.bind(
            client,
            &params.username,
            &params.hashed_password,
            &params.full_name,
            &params.email,
        )
    }
}
pub struct GetUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// One user by username.
pub fn get_user() -> GetUserStmt {
    GetUserStmt(
        "SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at FROM users WHERE username = $1",
        None,
    )
}
impl GetUserStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>(
        &'s self,
        client: &'c C,
        username: &'a T1,
    ) -> UserQuery<'c, 'a, 's, C, User, 1> {
        UserQuery {
            client,
            params: [username],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    username: row.try_get(0)?,
                    hashed_password: row.try_get(1)?,
                    full_name: row.try_get(2)?,
                    email: row.try_get(3)?,
                    role: row.try_get(4)?,
                    password_changed_at: row.try_get(5)?,
                    created_at: row.try_get(6)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
pub struct UpdateUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Changes only the fields that are given; a NULL parameter keeps the current value.
pub fn update_user() -> UpdateUserStmt {
    UpdateUserStmt(
        "UPDATE users SET hashed_password = COALESCE($1, hashed_password), password_changed_at = COALESCE($2, password_changed_at), full_name = COALESCE($3, full_name), email = COALESCE($4, email) WHERE username = $5 RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at",
        None,
    )
}
impl UpdateUserStmt {
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
        hashed_password: &'a Option<T1>,
        password_changed_at: &'a Option<chrono::DateTime<chrono::Utc>>,
        full_name: &'a Option<T2>,
        email: &'a Option<T3>,
        username: &'a T4,
    ) -> UserQuery<'c, 'a, 's, C, User, 5> {
        UserQuery {
            client,
            params: [
                hashed_password,
                password_changed_at,
                full_name,
                email,
                username,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    username: row.try_get(0)?,
                    hashed_password: row.try_get(1)?,
                    full_name: row.try_get(2)?,
                    email: row.try_get(3)?,
                    role: row.try_get(4)?,
                    password_changed_at: row.try_get(5)?,
                    created_at: row.try_get(6)?,
                })
            },
            mapper: |it| User::from(it),
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
        UpdateUserParams<T1, T2, T3, T4>,
        UserQuery<'c, 'a, 's, C, User, 5>,
        C,
    > for UpdateUserStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UpdateUserParams<T1, T2, T3, T4>,
    ) -> UserQuery<'c, 'a, 's, C, User, 5> {
        self.bind(
            client,
            &params.hashed_password,
            &params.password_changed_at,
            &params.full_name,
            &params.email,
            &params.username,
        )
    }
}
pub struct SetUserRoleStmt(&'static str, Option<tokio_postgres::Statement>);
/// Makes a user a 'banker' or a 'depositor' (the column's CHECK refuses anything else).
pub fn set_user_role() -> SetUserRoleStmt {
    SetUserRoleStmt(
        "UPDATE users SET role = $1 WHERE username = $2 RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at",
        None,
    )
}
impl SetUserRoleStmt {
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
        role: &'a T1,
        username: &'a T2,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        UserQuery {
            client,
            params: [role, username],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    username: row.try_get(0)?,
                    hashed_password: row.try_get(1)?,
                    full_name: row.try_get(2)?,
                    email: row.try_get(3)?,
                    role: row.try_get(4)?,
                    password_changed_at: row.try_get(5)?,
                    created_at: row.try_get(6)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        SetUserRoleParams<T1, T2>,
        UserQuery<'c, 'a, 's, C, User, 2>,
        C,
    > for SetUserRoleStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a SetUserRoleParams<T1, T2>,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        self.bind(client, &params.role, &params.username)
    }
}
