// This file was generated with `cornucopia`. Do not modify.

#[derive(Clone, Copy, Debug)]
pub struct CreateTransferParams {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct ListTransfersParams {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub limit: i64,
    pub offset: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct ListTransfersOfAccountParams {
    pub account_id: i64,
    pub before_id: i64,
    pub limit: i64,
    pub offset: i64,
}
#[derive(Debug)]
pub struct TransferMoneyParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
> {
    pub idempotency_key: Option<T1>,
    pub caller: Option<T2>,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub required_owner: Option<T3>,
    pub currency: T4,
    pub amount: i64,
}
#[derive(Debug)]
pub struct DecideTransferParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub required_owner: Option<T1>,
    pub currency: T2,
    pub amount: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct PostTransferParams {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct PostTransferEntriesParams {
    pub from_account_id: i64,
    pub amount: i64,
    pub to_account_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct ApplyTransferBalancesParams {
    pub from_account_id: i64,
    pub amount: i64,
    pub to_account_id: i64,
}
#[derive(Debug, Clone, PartialEq, Copy, serde::Serialize, serde::Deserialize)]
pub struct Transfer {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransferWithOwners {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub from_owner: String,
    pub to_owner: String,
}
pub struct TransferWithOwnersBorrowed<'a> {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub from_owner: &'a str,
    pub to_owner: &'a str,
}
impl<'a> From<TransferWithOwnersBorrowed<'a>> for TransferWithOwners {
    fn from(
        TransferWithOwnersBorrowed {
            id,
            from_account_id,
            to_account_id,
            amount,
            created_at,
            from_owner,
            to_owner,
        }: TransferWithOwnersBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            from_account_id,
            to_account_id,
            amount,
            created_at,
            from_owner: from_owner.into(),
            to_owner: to_owner.into(),
        }
    }
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MoneyMoved {
    pub verdict: String,
    pub transfer_id: Option<i64>,
    pub transfer_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub from_entry_id: Option<i64>,
    pub from_entry_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub to_entry_id: Option<i64>,
    pub to_entry_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub from_owner: Option<String>,
    pub from_balance: Option<i64>,
    pub from_currency: Option<String>,
    pub from_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub to_owner: Option<String>,
    pub to_balance: Option<i64>,
    pub to_currency: Option<String>,
    pub to_created_at: Option<chrono::DateTime<chrono::Utc>>,
}
pub struct MoneyMovedBorrowed<'a> {
    pub verdict: &'a str,
    pub transfer_id: Option<i64>,
    pub transfer_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub from_entry_id: Option<i64>,
    pub from_entry_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub to_entry_id: Option<i64>,
    pub to_entry_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub from_owner: Option<&'a str>,
    pub from_balance: Option<i64>,
    pub from_currency: Option<&'a str>,
    pub from_created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub to_owner: Option<&'a str>,
    pub to_balance: Option<i64>,
    pub to_currency: Option<&'a str>,
    pub to_created_at: Option<chrono::DateTime<chrono::Utc>>,
}
impl<'a> From<MoneyMovedBorrowed<'a>> for MoneyMoved {
    fn from(
        MoneyMovedBorrowed {
            verdict,
            transfer_id,
            transfer_created_at,
            from_entry_id,
            from_entry_created_at,
            to_entry_id,
            to_entry_created_at,
            from_owner,
            from_balance,
            from_currency,
            from_created_at,
            to_owner,
            to_balance,
            to_currency,
            to_created_at,
        }: MoneyMovedBorrowed<'a>,
    ) -> Self {
        Self {
            verdict: verdict.into(),
            transfer_id,
            transfer_created_at,
            from_entry_id,
            from_entry_created_at,
            to_entry_id,
            to_entry_created_at,
            from_owner: from_owner.map(|v| v.into()),
            from_balance,
            from_currency: from_currency.map(|v| v.into()),
            from_created_at,
            to_owner: to_owner.map(|v| v.into()),
            to_balance,
            to_currency: to_currency.map(|v| v.into()),
            to_created_at,
        }
    }
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransferVerdict {
    pub verdict: String,
}
pub struct TransferVerdictBorrowed<'a> {
    pub verdict: &'a str,
}
impl<'a> From<TransferVerdictBorrowed<'a>> for TransferVerdict {
    fn from(TransferVerdictBorrowed { verdict }: TransferVerdictBorrowed<'a>) -> Self {
        Self {
            verdict: verdict.into(),
        }
    }
}
#[derive(Debug, Clone, PartialEq, Copy, serde::Serialize, serde::Deserialize)]
pub struct PostedEntries {
    pub from_entry_id: i64,
    pub from_entry_created_at: chrono::DateTime<chrono::Utc>,
    pub to_entry_id: i64,
    pub to_entry_created_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MovedBalances {
    pub from_owner: String,
    pub from_balance: i64,
    pub from_created_at: chrono::DateTime<chrono::Utc>,
    pub to_owner: String,
    pub to_balance: i64,
    pub to_created_at: chrono::DateTime<chrono::Utc>,
}
pub struct MovedBalancesBorrowed<'a> {
    pub from_owner: &'a str,
    pub from_balance: i64,
    pub from_created_at: chrono::DateTime<chrono::Utc>,
    pub to_owner: &'a str,
    pub to_balance: i64,
    pub to_created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<MovedBalancesBorrowed<'a>> for MovedBalances {
    fn from(
        MovedBalancesBorrowed {
            from_owner,
            from_balance,
            from_created_at,
            to_owner,
            to_balance,
            to_created_at,
        }: MovedBalancesBorrowed<'a>,
    ) -> Self {
        Self {
            from_owner: from_owner.into(),
            from_balance,
            from_created_at,
            to_owner: to_owner.into(),
            to_balance,
            to_created_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct TransferQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<Transfer, tokio_postgres::Error>,
    mapper: fn(Transfer) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> TransferQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(Transfer) -> R) -> TransferQuery<'c, 'a, 's, C, R, N> {
        TransferQuery {
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
pub struct TransferWithOwnersQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor:
        fn(&tokio_postgres::Row) -> Result<TransferWithOwnersBorrowed, tokio_postgres::Error>,
    mapper: fn(TransferWithOwnersBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> TransferWithOwnersQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(TransferWithOwnersBorrowed) -> R,
    ) -> TransferWithOwnersQuery<'c, 'a, 's, C, R, N> {
        TransferWithOwnersQuery {
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
pub struct MoneyMovedQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<MoneyMovedBorrowed, tokio_postgres::Error>,
    mapper: fn(MoneyMovedBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> MoneyMovedQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(MoneyMovedBorrowed) -> R,
    ) -> MoneyMovedQuery<'c, 'a, 's, C, R, N> {
        MoneyMovedQuery {
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
pub struct TransferVerdictQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<TransferVerdictBorrowed, tokio_postgres::Error>,
    mapper: fn(TransferVerdictBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> TransferVerdictQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(TransferVerdictBorrowed) -> R,
    ) -> TransferVerdictQuery<'c, 'a, 's, C, R, N> {
        TransferVerdictQuery {
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
pub struct PostedEntriesQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<PostedEntries, tokio_postgres::Error>,
    mapper: fn(PostedEntries) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> PostedEntriesQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(PostedEntries) -> R) -> PostedEntriesQuery<'c, 'a, 's, C, R, N> {
        PostedEntriesQuery {
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
pub struct MovedBalancesQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<MovedBalancesBorrowed, tokio_postgres::Error>,
    mapper: fn(MovedBalancesBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> MovedBalancesQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(MovedBalancesBorrowed) -> R,
    ) -> MovedBalancesQuery<'c, 'a, 's, C, R, N> {
        MovedBalancesQuery {
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
pub struct CreateTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// Records a transfer; the balances and entries are written in the same transaction.
pub fn create_transfer() -> CreateTransferStmt {
    CreateTransferStmt(
        "INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES ($1, $2, $3) RETURNING id, from_account_id, to_account_id, amount, created_at",
        None,
    )
}
impl CreateTransferStmt {
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
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        amount: &'a i64,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        TransferQuery {
            client,
            params: [from_account_id, to_account_id, amount],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Transfer, tokio_postgres::Error> {
                Ok(Transfer {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            },
            mapper: |it| Transfer::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CreateTransferParams,
        TransferQuery<'c, 'a, 's, C, Transfer, 3>,
        C,
    > for CreateTransferStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CreateTransferParams,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        self.bind(
            client,
            &params.from_account_id,
            &params.to_account_id,
            &params.amount,
        )
    }
}
pub struct GetTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// One transfer by id.
pub fn get_transfer() -> GetTransferStmt {
    GetTransferStmt(
        "SELECT id, from_account_id, to_account_id, amount, created_at FROM transfers WHERE id = $1",
        None,
    )
}
impl GetTransferStmt {
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
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 1> {
        TransferQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Transfer, tokio_postgres::Error> {
                Ok(Transfer {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            },
            mapper: |it| Transfer::from(it),
        }
    }
}
pub struct ListTransfersStmt(&'static str, Option<tokio_postgres::Statement>);
/// A page of transfers from one account to another, oldest first (the course's query).
pub fn list_transfers() -> ListTransfersStmt {
    ListTransfersStmt(
        "SELECT id, from_account_id, to_account_id, amount, created_at FROM transfers WHERE from_account_id = $1 OR to_account_id = $2 ORDER BY id LIMIT $3 OFFSET $4",
        None,
    )
}
impl ListTransfersStmt {
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
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        limit: &'a i64,
        offset: &'a i64,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 4> {
        TransferQuery {
            client,
            params: [from_account_id, to_account_id, limit, offset],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Transfer, tokio_postgres::Error> {
                Ok(Transfer {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            },
            mapper: |it| Transfer::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ListTransfersParams,
        TransferQuery<'c, 'a, 's, C, Transfer, 4>,
        C,
    > for ListTransfersStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListTransfersParams,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 4> {
        self.bind(
            client,
            &params.from_account_id,
            &params.to_account_id,
            &params.limit,
            &params.offset,
        )
    }
}
pub struct ListTransfersOfAccountStmt(&'static str, Option<tokio_postgres::Statement>);
/// A page of the transfers that touch one account on either side, newest first: those
/// older than `before_id` (i64::MAX for the first page), after skipping `offset` (0 for a
/// keyset page). Each side is one backward range scan of its (account, id) index, cut at
/// `limit + offset` rows, and the two are merged by id (Merge Append): nothing is sorted,
/// whatever the account's history. A transfer to oneself is counted once (from side).
pub fn list_transfers_of_account() -> ListTransfersOfAccountStmt {
    ListTransfersOfAccountStmt(
        "SELECT id, from_account_id, to_account_id, amount, created_at FROM ( (SELECT id, from_account_id, to_account_id, amount, created_at FROM transfers WHERE from_account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3::bigint + $4::bigint) UNION ALL (SELECT id, from_account_id, to_account_id, amount, created_at FROM transfers WHERE to_account_id = $1 AND from_account_id <> $1 AND id < $2 ORDER BY id DESC LIMIT $3::bigint + $4::bigint) ) AS history ORDER BY id DESC LIMIT $3 OFFSET $4",
        None,
    )
}
impl ListTransfersOfAccountStmt {
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
        account_id: &'a i64,
        before_id: &'a i64,
        limit: &'a i64,
        offset: &'a i64,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 4> {
        TransferQuery {
            client,
            params: [account_id, before_id, limit, offset],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Transfer, tokio_postgres::Error> {
                Ok(Transfer {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            },
            mapper: |it| Transfer::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ListTransfersOfAccountParams,
        TransferQuery<'c, 'a, 's, C, Transfer, 4>,
        C,
    > for ListTransfersOfAccountStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListTransfersOfAccountParams,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 4> {
        self.bind(
            client,
            &params.account_id,
            &params.before_id,
            &params.limit,
            &params.offset,
        )
    }
}
pub struct GetTransferWithOwnersStmt(&'static str, Option<tokio_postgres::Statement>);
/// One transfer and the owners of both its accounts, to decide who may read it.
pub fn get_transfer_with_owners() -> GetTransferWithOwnersStmt {
    GetTransferWithOwnersStmt(
        "SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at, from_account.owner AS from_owner, to_account.owner AS to_owner FROM transfers t JOIN accounts from_account ON from_account.id = t.from_account_id JOIN accounts to_account ON to_account.id = t.to_account_id WHERE t.id = $1",
        None,
    )
}
impl GetTransferWithOwnersStmt {
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
    ) -> TransferWithOwnersQuery<'c, 'a, 's, C, TransferWithOwners, 1> {
        TransferWithOwnersQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<TransferWithOwnersBorrowed, tokio_postgres::Error> {
                Ok(TransferWithOwnersBorrowed {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    from_owner: row.try_get(5)?,
                    to_owner: row.try_get(6)?,
                })
            },
            mapper: |it| TransferWithOwners::from(it),
        }
    }
}
pub struct TransferMoneyStmt(&'static str, Option<tokio_postgres::Statement>);
/// A whole transfer in one statement, so one round trip. It locks both accounts in
/// ascending id order (as every money statement does, so opposite transfers cannot
/// deadlock), decides every rule on the locked rows, and only when the verdict is
/// 'ok' writes the transfer, both entries and both balances. Any other verdict
/// (from_account_not_found, not_owner, to_account_not_found, same_account,
/// currency_mismatch, insufficient_funds) writes nothing. `required_owner` NULL skips
/// the ownership rule. With an idempotency key, the statement runs in the transaction
/// that reserved (caller, key) just before it: without that reservation the verdict
/// is 'key_taken' and nothing is locked; an 'ok' stores the response on the key, any
/// refusal releases the key.
pub fn transfer_money() -> TransferMoneyStmt {
    TransferMoneyStmt(
        "WITH reservation AS MATERIALIZED ( SELECT $1::varchar IS NULL OR EXISTS ( SELECT FROM idempotency_keys WHERE caller = $2 AND key = $1 AND response_status IS NULL ) AS held ), locked AS MATERIALIZED ( SELECT id, owner, balance, currency, created_at FROM accounts WHERE id IN ($3, $4) AND (SELECT held FROM reservation) ORDER BY id FOR NO KEY UPDATE ), verdict AS MATERIALIZED ( SELECT CASE WHEN NOT (SELECT held FROM reservation) THEN 'key_taken' WHEN src.id IS NULL THEN 'from_account_not_found' WHEN src.owner <> coalesce($5, src.owner) THEN 'not_owner' WHEN dst.id IS NULL THEN 'to_account_not_found' WHEN src.id = dst.id THEN 'same_account' WHEN src.currency <> $6 OR dst.currency <> $6 THEN 'currency_mismatch' WHEN src.balance < $7 THEN 'insufficient_funds' ELSE 'ok' END AS verdict FROM (SELECT) AS one LEFT JOIN locked src ON src.id = $3 LEFT JOIN locked dst ON dst.id = $4 ), moved AS ( INSERT INTO transfers (from_account_id, to_account_id, amount) SELECT $3, $4, $7 FROM verdict WHERE verdict = 'ok' RETURNING id, from_account_id, to_account_id, amount, created_at ), posted AS ( INSERT INTO entries (account_id, amount) SELECT side.account_id, side.amount FROM verdict, (VALUES (1, $3::bigint, -$7::bigint), (2, $4, $7)) AS side (n, account_id, amount) WHERE verdict = 'ok' ORDER BY side.n RETURNING id, account_id, amount, created_at ), balances AS ( UPDATE accounts SET balance = balance + CASE WHEN accounts.id = $3 THEN -$7 ELSE $7 END FROM verdict WHERE accounts.id IN ($3, $4) AND verdict = 'ok' RETURNING accounts.id, accounts.owner, accounts.balance, accounts.currency, accounts.created_at ), stored AS ( UPDATE idempotency_keys SET response_status = 201, response_body = ( SELECT jsonb_build_object( 'transfer', to_jsonb(moved), 'from_account', to_jsonb(from_account), 'to_account', to_jsonb(to_account), 'from_entry', to_jsonb(from_entry), 'to_entry', to_jsonb(to_entry)) FROM moved, posted from_entry, posted to_entry, balances from_account, balances to_account WHERE from_entry.account_id = $3 AND to_entry.account_id = $4 AND from_account.id = $3 AND to_account.id = $4) FROM verdict WHERE caller = $2 AND key = $1 AND verdict = 'ok' ), released AS ( DELETE FROM idempotency_keys USING verdict WHERE caller = $2 AND key = $1 AND response_status IS NULL AND verdict NOT IN ('ok', 'key_taken') ) SELECT verdict.verdict, moved.id AS transfer_id, moved.created_at AS transfer_created_at, from_entry.id AS from_entry_id, from_entry.created_at AS from_entry_created_at, to_entry.id AS to_entry_id, to_entry.created_at AS to_entry_created_at, from_account.owner AS from_owner, from_account.balance AS from_balance, from_account.currency AS from_currency, from_account.created_at AS from_created_at, to_account.owner AS to_owner, to_account.balance AS to_balance, to_account.currency AS to_currency, to_account.created_at AS to_created_at FROM verdict LEFT JOIN moved ON true LEFT JOIN posted from_entry ON from_entry.account_id = $3 LEFT JOIN posted to_entry ON to_entry.account_id = $4 LEFT JOIN balances from_account ON from_account.id = $3 LEFT JOIN balances to_account ON to_account.id = $4",
        None,
    )
}
impl TransferMoneyStmt {
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
        idempotency_key: &'a Option<T1>,
        caller: &'a Option<T2>,
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        required_owner: &'a Option<T3>,
        currency: &'a T4,
        amount: &'a i64,
    ) -> MoneyMovedQuery<'c, 'a, 's, C, MoneyMoved, 7> {
        MoneyMovedQuery {
            client,
            params: [
                idempotency_key,
                caller,
                from_account_id,
                to_account_id,
                required_owner,
                currency,
                amount,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<MoneyMovedBorrowed, tokio_postgres::Error> {
                    Ok(MoneyMovedBorrowed {
                        verdict: row.try_get(0)?,
                        transfer_id: row.try_get(1)?,
                        transfer_created_at: row.try_get(2)?,
                        from_entry_id: row.try_get(3)?,
                        from_entry_created_at: row.try_get(4)?,
                        to_entry_id: row.try_get(5)?,
                        to_entry_created_at: row.try_get(6)?,
                        from_owner: row.try_get(7)?,
                        from_balance: row.try_get(8)?,
                        from_currency: row.try_get(9)?,
                        from_created_at: row.try_get(10)?,
                        to_owner: row.try_get(11)?,
                        to_balance: row.try_get(12)?,
                        to_currency: row.try_get(13)?,
                        to_created_at: row.try_get(14)?,
                    })
                },
            mapper: |it| MoneyMoved::from(it),
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
        TransferMoneyParams<T1, T2, T3, T4>,
        MoneyMovedQuery<'c, 'a, 's, C, MoneyMoved, 7>,
        C,
    > for TransferMoneyStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a TransferMoneyParams<T1, T2, T3, T4>,
    ) -> MoneyMovedQuery<'c, 'a, 's, C, MoneyMoved, 7> {
        self.bind(
            client,
            &params.idempotency_key,
            &params.caller,
            &params.from_account_id,
            &params.to_account_id,
            &params.required_owner,
            &params.currency,
            &params.amount,
        )
    }
}
pub struct DecideTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// The first of the four statements of a transfer without an idempotency key, sent
/// with BEGIN and COMMIT in one round trip (each is small, so cheap to plan even when
/// a pooler forbids keeping it prepared). It locks both accounts in ascending id order
/// (as every money statement does, so opposite transfers cannot deadlock), decides
/// every rule on the locked rows (the verdicts of `transfer_money`), and records the
/// verdict for the rest of the transaction only (`set_config(..., true)`): the three
/// writes after it (`post_transfer`, `post_transfer_entries`, `apply_transfer_balances`)
/// do nothing unless it is 'ok'. `required_owner` NULL skips the ownership rule.
pub fn decide_transfer() -> DecideTransferStmt {
    DecideTransferStmt(
        "WITH locked AS MATERIALIZED ( SELECT id, owner, balance, currency FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE ) SELECT set_config('simplebank.transfer_verdict', CASE WHEN src.id IS NULL THEN 'from_account_not_found' WHEN src.owner <> coalesce($3, src.owner) THEN 'not_owner' WHEN dst.id IS NULL THEN 'to_account_not_found' WHEN src.id = dst.id THEN 'same_account' WHEN src.currency <> $4 OR dst.currency <> $4 THEN 'currency_mismatch' WHEN src.balance < $5 THEN 'insufficient_funds' ELSE 'ok' END, true) AS verdict FROM (SELECT) AS one LEFT JOIN locked src ON src.id = $1 LEFT JOIN locked dst ON dst.id = $2",
        None,
    )
}
impl DecideTransferStmt {
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
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        required_owner: &'a Option<T1>,
        currency: &'a T2,
        amount: &'a i64,
    ) -> TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 5> {
        TransferVerdictQuery {
            client,
            params: [from_account_id, to_account_id, required_owner, currency, amount],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<TransferVerdictBorrowed, tokio_postgres::Error> {
                Ok(TransferVerdictBorrowed {
                    verdict: row.try_get(0)?,
                })
            },
            mapper: |it| TransferVerdict::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        DecideTransferParams<T1, T2>,
        TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 5>,
        C,
    > for DecideTransferStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a DecideTransferParams<T1, T2>,
    ) -> TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 5> {
        self.bind(
            client,
            &params.from_account_id,
            &params.to_account_id,
            &params.required_owner,
            &params.currency,
            &params.amount,
        )
    }
}
pub struct PostTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// A transfer's row, written only after `decide_transfer` said 'ok' in this transaction.
pub fn post_transfer() -> PostTransferStmt {
    PostTransferStmt(
        "INSERT INTO transfers (from_account_id, to_account_id, amount) SELECT $1, $2, $3 WHERE current_setting('simplebank.transfer_verdict', true) = 'ok' RETURNING id, from_account_id, to_account_id, amount, created_at",
        None,
    )
}
impl PostTransferStmt {
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
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        amount: &'a i64,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        TransferQuery {
            client,
            params: [from_account_id, to_account_id, amount],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Transfer, tokio_postgres::Error> {
                Ok(Transfer {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            },
            mapper: |it| Transfer::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        PostTransferParams,
        TransferQuery<'c, 'a, 's, C, Transfer, 3>,
        C,
    > for PostTransferStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a PostTransferParams,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        self.bind(
            client,
            &params.from_account_id,
            &params.to_account_id,
            &params.amount,
        )
    }
}
pub struct PostTransferEntriesStmt(&'static str, Option<tokio_postgres::Statement>);
/// A transfer's two entries (the source's first), written only after `decide_transfer`
/// said 'ok' in this transaction.
pub fn post_transfer_entries() -> PostTransferEntriesStmt {
    PostTransferEntriesStmt(
        "WITH posted AS ( INSERT INTO entries (account_id, amount) SELECT side.account_id, side.amount FROM (VALUES (1, $1::bigint, -$2::bigint), (2, $3, $2)) AS side (n, account_id, amount) WHERE current_setting('simplebank.transfer_verdict', true) = 'ok' ORDER BY side.n RETURNING id, account_id, created_at ) SELECT from_entry.id AS from_entry_id, from_entry.created_at AS from_entry_created_at, to_entry.id AS to_entry_id, to_entry.created_at AS to_entry_created_at FROM posted from_entry, posted to_entry WHERE from_entry.account_id = $1 AND to_entry.account_id = $3",
        None,
    )
}
impl PostTransferEntriesStmt {
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
        from_account_id: &'a i64,
        amount: &'a i64,
        to_account_id: &'a i64,
    ) -> PostedEntriesQuery<'c, 'a, 's, C, PostedEntries, 3> {
        PostedEntriesQuery {
            client,
            params: [from_account_id, amount, to_account_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<PostedEntries, tokio_postgres::Error> {
                Ok(PostedEntries {
                    from_entry_id: row.try_get(0)?,
                    from_entry_created_at: row.try_get(1)?,
                    to_entry_id: row.try_get(2)?,
                    to_entry_created_at: row.try_get(3)?,
                })
            },
            mapper: |it| PostedEntries::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        PostTransferEntriesParams,
        PostedEntriesQuery<'c, 'a, 's, C, PostedEntries, 3>,
        C,
    > for PostTransferEntriesStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a PostTransferEntriesParams,
    ) -> PostedEntriesQuery<'c, 'a, 's, C, PostedEntries, 3> {
        self.bind(
            client,
            &params.from_account_id,
            &params.amount,
            &params.to_account_id,
        )
    }
}
pub struct ApplyTransferBalancesStmt(&'static str, Option<tokio_postgres::Statement>);
/// Both balances of a transfer, changed only after `decide_transfer` said 'ok' (and
/// locked them) in this transaction.
pub fn apply_transfer_balances() -> ApplyTransferBalancesStmt {
    ApplyTransferBalancesStmt(
        "WITH moved AS ( UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$2::bigint ELSE $2 END WHERE id IN ($1, $3) AND current_setting('simplebank.transfer_verdict', true) = 'ok' RETURNING id, owner, balance, created_at ) SELECT from_account.owner AS from_owner, from_account.balance AS from_balance, from_account.created_at AS from_created_at, to_account.owner AS to_owner, to_account.balance AS to_balance, to_account.created_at AS to_created_at FROM moved from_account, moved to_account WHERE from_account.id = $1 AND to_account.id = $3",
        None,
    )
}
impl ApplyTransferBalancesStmt {
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
        from_account_id: &'a i64,
        amount: &'a i64,
        to_account_id: &'a i64,
    ) -> MovedBalancesQuery<'c, 'a, 's, C, MovedBalances, 3> {
        MovedBalancesQuery {
            client,
            params: [from_account_id, amount, to_account_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<MovedBalancesBorrowed, tokio_postgres::Error> {
                    Ok(MovedBalancesBorrowed {
                        from_owner: row.try_get(0)?,
                        from_balance: row.try_get(1)?,
                        from_created_at: row.try_get(2)?,
                        to_owner: row.try_get(3)?,
                        to_balance: row.try_get(4)?,
                        to_created_at: row.try_get(5)?,
                    })
                },
            mapper: |it| MovedBalances::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ApplyTransferBalancesParams,
        MovedBalancesQuery<'c, 'a, 's, C, MovedBalances, 3>,
        C,
    > for ApplyTransferBalancesStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ApplyTransferBalancesParams,
    ) -> MovedBalancesQuery<'c, 'a, 's, C, MovedBalances, 3> {
        self.bind(
            client,
            &params.from_account_id,
            &params.amount,
            &params.to_account_id,
        )
    }
}
