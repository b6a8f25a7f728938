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
#[derive(Clone, Copy, Debug)]
pub struct GetTransferReceiptParams {
    pub from_entry_id: i64,
    pub to_entry_id: i64,
    pub transfer_id: i64,
}
#[derive(Debug)]
pub struct DecideTransferParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub required_owner: Option<T1>,
    pub currency: T2,
    pub amount: i64,
}
#[derive(Debug)]
pub struct DecideKeyedTransferParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
> {
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub required_owner: Option<T1>,
    pub currency: T2,
    pub amount: i64,
    pub caller: T3,
    pub idempotency_key: T4,
    pub request_fingerprint: T5,
    pub ttl_seconds: f64,
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
pub struct TransferReceipt {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub from_entry_amount: i64,
    pub from_entry_created_at: chrono::DateTime<chrono::Utc>,
    pub to_entry_amount: i64,
    pub to_entry_created_at: chrono::DateTime<chrono::Utc>,
    pub from_owner: String,
    pub from_currency: String,
    pub from_created_at: chrono::DateTime<chrono::Utc>,
    pub to_owner: String,
    pub to_currency: String,
    pub to_created_at: chrono::DateTime<chrono::Utc>,
}
pub struct TransferReceiptBorrowed<'a> {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub from_entry_amount: i64,
    pub from_entry_created_at: chrono::DateTime<chrono::Utc>,
    pub to_entry_amount: i64,
    pub to_entry_created_at: chrono::DateTime<chrono::Utc>,
    pub from_owner: &'a str,
    pub from_currency: &'a str,
    pub from_created_at: chrono::DateTime<chrono::Utc>,
    pub to_owner: &'a str,
    pub to_currency: &'a str,
    pub to_created_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<TransferReceiptBorrowed<'a>> for TransferReceipt {
    fn from(
        TransferReceiptBorrowed {
            id,
            from_account_id,
            to_account_id,
            amount,
            created_at,
            from_entry_amount,
            from_entry_created_at,
            to_entry_amount,
            to_entry_created_at,
            from_owner,
            from_currency,
            from_created_at,
            to_owner,
            to_currency,
            to_created_at,
        }: TransferReceiptBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            from_account_id,
            to_account_id,
            amount,
            created_at,
            from_entry_amount,
            from_entry_created_at,
            to_entry_amount,
            to_entry_created_at,
            from_owner: from_owner.into(),
            from_currency: from_currency.into(),
            from_created_at,
            to_owner: to_owner.into(),
            to_currency: to_currency.into(),
            to_created_at,
        }
    }
}
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransferVerdict {
    pub verdict: String,
    pub transfer_id: String,
    pub from_entry_id: String,
    pub to_entry_id: String,
    pub from_entry_seq: String,
    pub to_entry_seq: String,
}
pub struct TransferVerdictBorrowed<'a> {
    pub verdict: &'a str,
    pub transfer_id: &'a str,
    pub from_entry_id: &'a str,
    pub to_entry_id: &'a str,
    pub from_entry_seq: &'a str,
    pub to_entry_seq: &'a str,
}
impl<'a> From<TransferVerdictBorrowed<'a>> for TransferVerdict {
    fn from(
        TransferVerdictBorrowed {
            verdict,
            transfer_id,
            from_entry_id,
            to_entry_id,
            from_entry_seq,
            to_entry_seq,
        }: TransferVerdictBorrowed<'a>,
    ) -> Self {
        Self {
            verdict: verdict.into(),
            transfer_id: transfer_id.into(),
            from_entry_id: from_entry_id.into(),
            to_entry_id: to_entry_id.into(),
            from_entry_seq: from_entry_seq.into(),
            to_entry_seq: to_entry_seq.into(),
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
pub struct TransferReceiptQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<TransferReceiptBorrowed, tokio_postgres::Error>,
    mapper: fn(TransferReceiptBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> TransferReceiptQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(TransferReceiptBorrowed) -> R,
    ) -> TransferReceiptQuery<'c, 'a, 's, C, R, N> {
        TransferReceiptQuery {
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
/// keyset page). The page's ids come from the indexes alone: each side is one backward
/// index-only range scan, cut at `limit + offset` ids, and the two are merged by id
/// (Merge Append); then the page's rows are read by primary key, in that order. Nothing
/// is sorted, whatever the account's history, and no plan can prefer walking the
/// primary key (a generic plan does not know the page size). A transfer to oneself is
/// counted once (from side).
pub fn list_transfers_of_account() -> ListTransfersOfAccountStmt {
    ListTransfersOfAccountStmt(
        "SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at FROM ( SELECT id FROM ( (SELECT id FROM transfers WHERE from_account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3::bigint + $4::bigint) UNION ALL (SELECT id FROM transfers WHERE to_account_id = $1 AND from_account_id <> $1 AND id < $2 ORDER BY id DESC LIMIT $3::bigint + $4::bigint) ) AS sides ORDER BY id DESC LIMIT $3 OFFSET $4 ) AS page JOIN transfers t ON t.id = page.id ORDER BY t.id DESC",
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
pub struct GetTransferReceiptStmt(&'static str, Option<tokio_postgres::Statement>);
/// The rows a keyed transfer wrote, to replay its response from the receipt
/// `decide_keyed_transfer` stored under the key: the transfer, its two entries, and the
/// owner, currency and opening time of both accounts (none of which ever changes).
/// The balances are the receipt's: each account's balance right after the transfer.
pub fn get_transfer_receipt() -> GetTransferReceiptStmt {
    GetTransferReceiptStmt(
        "SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at, from_entry.amount AS from_entry_amount, from_entry.created_at AS from_entry_created_at, to_entry.amount AS to_entry_amount, to_entry.created_at AS to_entry_created_at, from_account.owner AS from_owner, from_account.currency AS from_currency, from_account.created_at AS from_created_at, to_account.owner AS to_owner, to_account.currency AS to_currency, to_account.created_at AS to_created_at FROM transfers t JOIN entries from_entry ON from_entry.id = $1 AND from_entry.account_id = t.from_account_id JOIN entries to_entry ON to_entry.id = $2 AND to_entry.account_id = t.to_account_id JOIN accounts from_account ON from_account.id = t.from_account_id JOIN accounts to_account ON to_account.id = t.to_account_id WHERE t.id = $3",
        None,
    )
}
impl GetTransferReceiptStmt {
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
        from_entry_id: &'a i64,
        to_entry_id: &'a i64,
        transfer_id: &'a i64,
    ) -> TransferReceiptQuery<'c, 'a, 's, C, TransferReceipt, 3> {
        TransferReceiptQuery {
            client,
            params: [from_entry_id, to_entry_id, transfer_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<TransferReceiptBorrowed, tokio_postgres::Error> {
                Ok(TransferReceiptBorrowed {
                    id: row.try_get(0)?,
                    from_account_id: row.try_get(1)?,
                    to_account_id: row.try_get(2)?,
                    amount: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    from_entry_amount: row.try_get(5)?,
                    from_entry_created_at: row.try_get(6)?,
                    to_entry_amount: row.try_get(7)?,
                    to_entry_created_at: row.try_get(8)?,
                    from_owner: row.try_get(9)?,
                    from_currency: row.try_get(10)?,
                    from_created_at: row.try_get(11)?,
                    to_owner: row.try_get(12)?,
                    to_currency: row.try_get(13)?,
                    to_created_at: row.try_get(14)?,
                })
            },
            mapper: |it| TransferReceipt::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        GetTransferReceiptParams,
        TransferReceiptQuery<'c, 'a, 's, C, TransferReceipt, 3>,
        C,
    > for GetTransferReceiptStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a GetTransferReceiptParams,
    ) -> TransferReceiptQuery<'c, 'a, 's, C, TransferReceipt, 3> {
        self.bind(
            client,
            &params.from_entry_id,
            &params.to_entry_id,
            &params.transfer_id,
        )
    }
}
pub struct DecideTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// The first of the statements of a transfer, all sent with BEGIN and COMMIT in one
/// round trip (each is small, so cheap to plan even when a pooler forbids keeping it
/// prepared). It locks both accounts in ascending id order (as every money statement
/// does, so opposite transfers cannot deadlock), decides every rule on the locked rows,
/// and records the verdict for the rest of the transaction only (`set_config(..., true)`):
/// the writes after it (`post_transfer`, `post_transfer_entries`,
/// `apply_transfer_balances`) do nothing unless it is 'ok'. It also takes the ids of the
/// transfer and its two entries, after the locks (so an account's entries get ids in the
/// order of their statement positions), and the positions of both entries in their
/// accounts' statements (one past each locked `entry_count`), for the writes to use.
/// `required_owner` NULL skips the ownership rule.
pub fn decide_transfer() -> DecideTransferStmt {
    DecideTransferStmt(
        "WITH locked AS MATERIALIZED ( SELECT id, owner, balance, currency, entry_count FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE ), decided AS MATERIALIZED ( SELECT CASE WHEN src.id IS NULL THEN 'from_account_not_found' WHEN src.owner <> coalesce($3, src.owner) THEN 'not_owner' WHEN dst.id IS NULL THEN 'to_account_not_found' WHEN src.id = dst.id THEN 'same_account' WHEN src.currency <> $4 OR dst.currency <> $4 THEN 'currency_mismatch' WHEN src.balance < $5 THEN 'insufficient_funds' ELSE 'ok' END AS verdict, coalesce(src.entry_count + 1, 0) AS from_entry_seq, coalesce(dst.entry_count + 1, 0) AS to_entry_seq FROM (SELECT) AS one LEFT JOIN locked src ON src.id = $1 LEFT JOIN locked dst ON dst.id = $2 ) SELECT set_config('simplebank.transfer_verdict', verdict, true) AS verdict, set_config('simplebank.transfer_id', nextval('transfers_id_seq')::text, true) AS transfer_id, set_config('simplebank.from_entry_id', nextval('entries_id_seq')::text, true) AS from_entry_id, set_config('simplebank.to_entry_id', nextval('entries_id_seq')::text, true) AS to_entry_id, set_config('simplebank.from_entry_seq', from_entry_seq::text, true) AS from_entry_seq, set_config('simplebank.to_entry_seq', to_entry_seq::text, true) AS to_entry_seq FROM decided",
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
                    transfer_id: row.try_get(1)?,
                    from_entry_id: row.try_get(2)?,
                    to_entry_id: row.try_get(3)?,
                    from_entry_seq: row.try_get(4)?,
                    to_entry_seq: row.try_get(5)?,
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
pub struct DecideKeyedTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// `decide_transfer` under an idempotency key, which it claims after locking the
/// accounts: the key's row is written once, with a receipt when the verdict is 'ok'
/// (the ids taken here and both balances after the transfer: all a replay needs besides
/// the rows the writes after it add, which it reads back; see `get_transfer_receipt`),
/// without one for a refusal. A key that holds a response younger than `ttl_seconds` is
/// taken: the verdict is 'key_taken', nothing is written, and the caller replays that
/// response. A key older than that, or one a refused request left without a response,
/// is taken over as new. A concurrent request with the same key waits for the
/// accounts' locks or for the key, then finds it taken. Every access to idempotency_keys
/// goes through its primary key (ON CONFLICT), whatever the planner's statistics say.
pub fn decide_keyed_transfer() -> DecideKeyedTransferStmt {
    DecideKeyedTransferStmt(
        "WITH locked AS MATERIALIZED ( SELECT id, owner, balance, currency, entry_count FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE ), decided AS MATERIALIZED ( SELECT CASE WHEN src.id IS NULL THEN 'from_account_not_found' WHEN src.owner <> coalesce($3, src.owner) THEN 'not_owner' WHEN dst.id IS NULL THEN 'to_account_not_found' WHEN src.id = dst.id THEN 'same_account' WHEN src.currency <> $4 OR dst.currency <> $4 THEN 'currency_mismatch' WHEN src.balance < $5 THEN 'insufficient_funds' ELSE 'ok' END AS verdict, nextval('transfers_id_seq') AS transfer_id, nextval('entries_id_seq') AS from_entry_id, nextval('entries_id_seq') AS to_entry_id, src.balance - $5 AS from_balance, dst.balance + $5 AS to_balance, coalesce(src.entry_count + 1, 0) AS from_entry_seq, coalesce(dst.entry_count + 1, 0) AS to_entry_seq FROM (SELECT) AS one LEFT JOIN locked src ON src.id = $1 LEFT JOIN locked dst ON dst.id = $2 ), claimed AS ( INSERT INTO idempotency_keys AS k (caller, key, request_fingerprint, response_status, response_body) SELECT $6, $7, $8, CASE WHEN d.verdict = 'ok' THEN 201 END, CASE WHEN d.verdict = 'ok' THEN jsonb_build_object('transfer_id', d.transfer_id, 'from_entry_id', d.from_entry_id, 'to_entry_id', d.to_entry_id, 'from_balance', d.from_balance, 'to_balance', d.to_balance) END FROM decided d ON CONFLICT (caller, key) DO UPDATE SET request_fingerprint = EXCLUDED.request_fingerprint, response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body, created_at = now() WHERE k.response_status IS NULL OR k.created_at <= now() - make_interval(secs => $9) RETURNING true AS held ) SELECT set_config('simplebank.transfer_verdict', CASE WHEN EXISTS (SELECT FROM claimed) THEN d.verdict ELSE 'key_taken' END, true) AS verdict, set_config('simplebank.transfer_id', d.transfer_id::text, true) AS transfer_id, set_config('simplebank.from_entry_id', d.from_entry_id::text, true) AS from_entry_id, set_config('simplebank.to_entry_id', d.to_entry_id::text, true) AS to_entry_id, set_config('simplebank.from_entry_seq', d.from_entry_seq::text, true) AS from_entry_seq, set_config('simplebank.to_entry_seq', d.to_entry_seq::text, true) AS to_entry_seq FROM decided d",
        None,
    )
}
impl DecideKeyedTransferStmt {
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
        T5: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        from_account_id: &'a i64,
        to_account_id: &'a i64,
        required_owner: &'a Option<T1>,
        currency: &'a T2,
        amount: &'a i64,
        caller: &'a T3,
        idempotency_key: &'a T4,
        request_fingerprint: &'a T5,
        ttl_seconds: &'a f64,
    ) -> TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 9> {
        TransferVerdictQuery {
            client,
            params: [
                from_account_id,
                to_account_id,
                required_owner,
                currency,
                amount,
                caller,
                idempotency_key,
                request_fingerprint,
                ttl_seconds,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<TransferVerdictBorrowed, tokio_postgres::Error> {
                Ok(TransferVerdictBorrowed {
                    verdict: row.try_get(0)?,
                    transfer_id: row.try_get(1)?,
                    from_entry_id: row.try_get(2)?,
                    to_entry_id: row.try_get(3)?,
                    from_entry_seq: row.try_get(4)?,
                    to_entry_seq: row.try_get(5)?,
                })
            },
            mapper: |it| TransferVerdict::from(it),
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
    T5: crate::StringSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        DecideKeyedTransferParams<T1, T2, T3, T4, T5>,
        TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 9>,
        C,
    > for DecideKeyedTransferStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a DecideKeyedTransferParams<T1, T2, T3, T4, T5>,
    ) -> TransferVerdictQuery<'c, 'a, 's, C, TransferVerdict, 9> {
        self.bind(
            client,
            &params.from_account_id,
            &params.to_account_id,
            &params.required_owner,
            &params.currency,
            &params.amount,
            &params.caller,
            &params.idempotency_key,
            &params.request_fingerprint,
            &params.ttl_seconds,
        )
    }
}
pub struct PostTransferStmt(&'static str, Option<tokio_postgres::Statement>);
/// A transfer's row, under the id `decide_transfer` took, written only if it said 'ok' in
/// this transaction.
pub fn post_transfer() -> PostTransferStmt {
    PostTransferStmt(
        "INSERT INTO transfers (id, from_account_id, to_account_id, amount) SELECT current_setting('simplebank.transfer_id')::bigint, $1, $2, $3 WHERE current_setting('simplebank.transfer_verdict', true) = 'ok' RETURNING id, from_account_id, to_account_id, amount, created_at",
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
/// A transfer's two entries (the source's first), under the ids and statement positions
/// `decide_transfer` took, written only if it said 'ok' in this transaction. Each is the
/// next line of its account's statement: one past the `entry_count` of the row
/// `decide_transfer` locked, which `apply_transfer_balances` then raises.
pub fn post_transfer_entries() -> PostTransferEntriesStmt {
    PostTransferEntriesStmt(
        "WITH posted AS ( INSERT INTO entries (id, account_id, amount, account_seq) SELECT side.id, side.account_id, side.amount, side.account_seq FROM (VALUES (1, current_setting('simplebank.from_entry_id')::bigint, $1::bigint, -$2::bigint, current_setting('simplebank.from_entry_seq')::bigint), (2, current_setting('simplebank.to_entry_id')::bigint, $3, $2, current_setting('simplebank.to_entry_seq')::bigint)) AS side (n, id, account_id, amount, account_seq) WHERE current_setting('simplebank.transfer_verdict', true) = 'ok' ORDER BY side.n RETURNING id, account_id, created_at ) SELECT from_entry.id AS from_entry_id, from_entry.created_at AS from_entry_created_at, to_entry.id AS to_entry_id, to_entry.created_at AS to_entry_created_at FROM posted from_entry, posted to_entry WHERE from_entry.account_id = $1 AND to_entry.account_id = $3",
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
/// locked them) in this transaction; each account counts the entry
/// `post_transfer_entries` wrote on it.
pub fn apply_transfer_balances() -> ApplyTransferBalancesStmt {
    ApplyTransferBalancesStmt(
        "WITH moved AS ( UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$2::bigint ELSE $2 END, entry_count = entry_count + 1 WHERE id IN ($1, $3) AND current_setting('simplebank.transfer_verdict', true) = 'ok' RETURNING id, owner, balance, created_at ) SELECT from_account.owner AS from_owner, from_account.balance AS from_balance, from_account.created_at AS from_created_at, to_account.owner AS to_owner, to_account.balance AS to_balance, to_account.created_at AS to_created_at FROM moved from_account, moved to_account WHERE from_account.id = $1 AND to_account.id = $3",
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
