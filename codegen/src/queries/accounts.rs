// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct CreateAccountParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub owner: T1,
    pub balance: i64,
    pub currency: T2,
}
#[derive(Debug)]
pub struct ListAccountsParams<T1: crate::StringSql> {
    pub owner: T1,
    pub limit: i64,
    pub offset: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct UpdateAccountParams {
    pub balance: i64,
    pub id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct AddAccountBalanceParams {
    pub amount: i64,
    pub id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct LockAccountPairParams {
    pub first_id: i64,
    pub second_id: i64,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub id: i64,
    pub owner: String,
    pub balance: i64,
    pub currency: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
pub struct AccountBorrowed<'a> {
    pub id: i64,
    pub owner: &'a str,
    pub balance: i64,
    pub currency: &'a str,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<AccountBorrowed<'a>> for Account {
    fn from(
        AccountBorrowed {
            id,
            owner,
            balance,
            currency,
            created_at,
        }: AccountBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            owner: owner.into(),
            balance,
            currency: currency.into(),
            created_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct AccountQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<AccountBorrowed, tokio_postgres::Error>,
    mapper: fn(AccountBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> AccountQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(AccountBorrowed) -> R) -> AccountQuery<'c, 'a, 's, C, R, N> {
        AccountQuery {
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
pub struct CreateAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// Opens an account for `owner` with an initial balance (zero through the API).
pub fn create_account() -> CreateAccountStmt {
    CreateAccountStmt(
        "INSERT INTO accounts (owner, balance, currency) VALUES ($1, $2, $3) RETURNING id, owner, balance, currency, created_at",
        None,
    )
}
impl CreateAccountStmt {
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
        owner: &'a T1,
        balance: &'a i64,
        currency: &'a T2,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 3> {
        AccountQuery {
            client,
            params: [owner, balance, currency],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CreateAccountParams<T1, T2>,
        AccountQuery<'c, 'a, 's, C, Account, 3>,
        C,
    > for CreateAccountStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CreateAccountParams<T1, T2>,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 3> {
        self.bind(client, &params.owner, &params.balance, &params.currency)
    }
}
pub struct GetAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// One account by id.
pub fn get_account() -> GetAccountStmt {
    GetAccountStmt(
        "SELECT id, owner, balance, currency, created_at FROM accounts WHERE id = $1",
        None,
    )
}
impl GetAccountStmt {
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
        id: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 1> {
        AccountQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
pub struct ListAccountsStmt(&'static str, Option<tokio_postgres::Statement>);
/// A page of the accounts of `owner`, ordered by id.
pub fn list_accounts() -> ListAccountsStmt {
    ListAccountsStmt(
        "SELECT id, owner, balance, currency, created_at FROM accounts WHERE owner = $1 ORDER BY id LIMIT $2 OFFSET $3",
        None,
    )
}
impl ListAccountsStmt {
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
        owner: &'a T1,
        limit: &'a i64,
        offset: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 3> {
        AccountQuery {
            client,
            params: [owner, limit, offset],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ListAccountsParams<T1>,
        AccountQuery<'c, 'a, 's, C, Account, 3>,
        C,
    > for ListAccountsStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListAccountsParams<T1>,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 3> {
        self.bind(client, &params.owner, &params.limit, &params.offset)
    }
}
pub struct UpdateAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// Sets a balance outright (the course's query; money moves through add_account_balance).
pub fn update_account() -> UpdateAccountStmt {
    UpdateAccountStmt(
        "UPDATE accounts SET balance = $1 WHERE id = $2 RETURNING id, owner, balance, currency, created_at",
        None,
    )
}
impl UpdateAccountStmt {
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
        balance: &'a i64,
        id: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        AccountQuery {
            client,
            params: [balance, id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        UpdateAccountParams,
        AccountQuery<'c, 'a, 's, C, Account, 2>,
        C,
    > for UpdateAccountStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UpdateAccountParams,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        self.bind(client, &params.balance, &params.id)
    }
}
pub struct AddAccountBalanceStmt(&'static str, Option<tokio_postgres::Statement>);
/// Adds `amount` (negative to take money out) to a balance. The balance CHECK refuses an overdraft.
pub fn add_account_balance() -> AddAccountBalanceStmt {
    AddAccountBalanceStmt(
        "UPDATE accounts SET balance = balance + $1 WHERE id = $2 RETURNING id, owner, balance, currency, created_at",
        None,
    )
}
impl AddAccountBalanceStmt {
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
        amount: &'a i64,
        id: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        AccountQuery {
            client,
            params: [amount, id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        AddAccountBalanceParams,
        AccountQuery<'c, 'a, 's, C, Account, 2>,
        C,
    > for AddAccountBalanceStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a AddAccountBalanceParams,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        self.bind(client, &params.amount, &params.id)
    }
}
pub struct DeleteAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes an account that has no entries or transfers.
pub fn delete_account() -> DeleteAccountStmt {
    DeleteAccountStmt("DELETE FROM accounts WHERE id = $1", None)
}
impl DeleteAccountStmt {
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
        id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[id]).await
    }
}
pub struct LockAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// Locks one account row for the rest of the transaction (deposits).
/// NO KEY UPDATE: inserts that reference the account (entries, transfers) need only a
/// KEY SHARE lock, so they are not blocked by it.
pub fn lock_account() -> LockAccountStmt {
    LockAccountStmt(
        "SELECT id, owner, balance, currency, created_at FROM accounts WHERE id = $1 FOR NO KEY UPDATE",
        None,
    )
}
impl LockAccountStmt {
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
        id: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 1> {
        AccountQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
pub struct LockAccountPairStmt(&'static str, Option<tokio_postgres::Statement>);
/// Locks the two accounts of a transfer in ascending id order, in one statement.
/// Every transfer takes its locks in the same order, so two opposite transfers
/// cannot wait on each other: this is what prevents the course's deadlock.
pub fn lock_account_pair() -> LockAccountPairStmt {
    LockAccountPairStmt(
        "SELECT id, owner, balance, currency, created_at FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE",
        None,
    )
}
impl LockAccountPairStmt {
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
        first_id: &'a i64,
        second_id: &'a i64,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        AccountQuery {
            client,
            params: [first_id, second_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<AccountBorrowed, tokio_postgres::Error> {
                    Ok(AccountBorrowed {
                        id: row.try_get(0)?,
                        owner: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        currency: row.try_get(3)?,
                        created_at: row.try_get(4)?,
                    })
                },
            mapper: |it| Account::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        LockAccountPairParams,
        AccountQuery<'c, 'a, 's, C, Account, 2>,
        C,
    > for LockAccountPairStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a LockAccountPairParams,
    ) -> AccountQuery<'c, 'a, 's, C, Account, 2> {
        self.bind(client, &params.first_id, &params.second_id)
    }
}
