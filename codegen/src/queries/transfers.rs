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
    pub limit: i64,
    pub offset: i64,
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
/// A page of the transfers that touch one account on either side, newest first.
pub fn list_transfers_of_account() -> ListTransfersOfAccountStmt {
    ListTransfersOfAccountStmt(
        "SELECT id, from_account_id, to_account_id, amount, created_at FROM transfers WHERE from_account_id = $1 OR to_account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
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
        limit: &'a i64,
        offset: &'a i64,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        TransferQuery {
            client,
            params: [account_id, limit, offset],
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
        TransferQuery<'c, 'a, 's, C, Transfer, 3>,
        C,
    > for ListTransfersOfAccountStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListTransfersOfAccountParams,
    ) -> TransferQuery<'c, 'a, 's, C, Transfer, 3> {
        self.bind(client, &params.account_id, &params.limit, &params.offset)
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
