// This file was generated with `cornucopia`. Do not modify.

#[derive(Clone, Copy, Debug)]
pub struct CreateEntryParams {
    pub account_id: i64,
    pub amount: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct ListEntriesParams {
    pub account_id: i64,
    pub limit: i64,
    pub offset: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct ListEntriesNewestFirstParams {
    pub account_id: i64,
    pub before_id: i64,
    pub offset: i64,
    pub limit: i64,
}
#[derive(Debug, Clone, PartialEq, Copy, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub id: i64,
    pub account_id: i64,
    pub amount: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct EntryQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<Entry, tokio_postgres::Error>,
    mapper: fn(Entry) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> EntryQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(Entry) -> R) -> EntryQuery<'c, 'a, 's, C, R, N> {
        EntryQuery {
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
pub struct CreateEntryStmt(&'static str, Option<tokio_postgres::Statement>);
/// Records one change of an account's balance as the next line of its statement: the
/// account's entry count goes up by one (which takes its row lock, so entries of one
/// account are numbered one at a time) and numbers the entry. No row for a missing account.
pub fn create_entry() -> CreateEntryStmt {
    CreateEntryStmt(
        "WITH counted AS ( UPDATE accounts SET entry_count = entry_count + 1 WHERE id = $1 RETURNING entry_count ) INSERT INTO entries (account_id, amount, account_seq) SELECT $1, $2, entry_count FROM counted RETURNING id, account_id, amount, created_at",
        None,
    )
}
impl CreateEntryStmt {
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
        amount: &'a i64,
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 2> {
        EntryQuery {
            client,
            params: [account_id, amount],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Entry, tokio_postgres::Error> {
                Ok(Entry {
                    id: row.try_get(0)?,
                    account_id: row.try_get(1)?,
                    amount: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                })
            },
            mapper: |it| Entry::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CreateEntryParams,
        EntryQuery<'c, 'a, 's, C, Entry, 2>,
        C,
    > for CreateEntryStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CreateEntryParams,
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 2> {
        self.bind(client, &params.account_id, &params.amount)
    }
}
pub struct GetEntryStmt(&'static str, Option<tokio_postgres::Statement>);
/// One entry by id.
pub fn get_entry() -> GetEntryStmt {
    GetEntryStmt(
        "SELECT id, account_id, amount, created_at FROM entries WHERE id = $1",
        None,
    )
}
impl GetEntryStmt {
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
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 1> {
        EntryQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Entry, tokio_postgres::Error> {
                Ok(Entry {
                    id: row.try_get(0)?,
                    account_id: row.try_get(1)?,
                    amount: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                })
            },
            mapper: |it| Entry::from(it),
        }
    }
}
pub struct ListEntriesStmt(&'static str, Option<tokio_postgres::Statement>);
/// A page of the entries of one account, oldest first (the course's query).
pub fn list_entries() -> ListEntriesStmt {
    ListEntriesStmt(
        "SELECT id, account_id, amount, created_at FROM entries WHERE account_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
        None,
    )
}
impl ListEntriesStmt {
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
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 3> {
        EntryQuery {
            client,
            params: [account_id, limit, offset],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Entry, tokio_postgres::Error> {
                Ok(Entry {
                    id: row.try_get(0)?,
                    account_id: row.try_get(1)?,
                    amount: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                })
            },
            mapper: |it| Entry::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ListEntriesParams,
        EntryQuery<'c, 'a, 's, C, Entry, 3>,
        C,
    > for ListEntriesStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListEntriesParams,
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 3> {
        self.bind(client, &params.account_id, &params.limit, &params.offset)
    }
}
pub struct ListEntriesNewestFirstStmt(&'static str, Option<tokio_postgres::Statement>);
/// A page of an account's statement, newest first: the entries older than `before_id`
/// (i64::MAX for page 1 and offset pages), after skipping `offset` of them (0 for a
/// keyset page). Entries are numbered 1, 2, ... per account with no gaps, in id order,
/// up to the account's `entry_count`, so the page is a range of statement positions:
/// one backward range scan of entries (account_id, account_seq), the same on a ledger
/// of any size, however deep the page. Where it starts: one below the position of the
/// entry `before_id` (a page token's last entry: a primary-key read); for i64::MAX the
/// account's newest; for an id that is not an entry of the account (no token of this
/// server), the newest entry below it.
pub fn list_entries_newest_first() -> ListEntriesNewestFirstStmt {
    ListEntriesNewestFirstStmt(
        "SELECT id, account_id, amount, created_at FROM entries WHERE account_id = $1 AND account_seq <= coalesce( (SELECT last_seen.account_seq - 1 FROM entries last_seen WHERE last_seen.id = $2 AND last_seen.account_id = $1), (SELECT account.entry_count FROM accounts account WHERE account.id = $1 AND $2 = 9223372036854775807), (SELECT below.account_seq FROM entries below WHERE below.account_id = $1 AND below.id < $2 ORDER BY below.id DESC LIMIT 1) ) - $3 ORDER BY account_seq DESC LIMIT $4",
        None,
    )
}
impl ListEntriesNewestFirstStmt {
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
        offset: &'a i64,
        limit: &'a i64,
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 4> {
        EntryQuery {
            client,
            params: [account_id, before_id, offset, limit],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<Entry, tokio_postgres::Error> {
                Ok(Entry {
                    id: row.try_get(0)?,
                    account_id: row.try_get(1)?,
                    amount: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                })
            },
            mapper: |it| Entry::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ListEntriesNewestFirstParams,
        EntryQuery<'c, 'a, 's, C, Entry, 4>,
        C,
    > for ListEntriesNewestFirstStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ListEntriesNewestFirstParams,
    ) -> EntryQuery<'c, 'a, 's, C, Entry, 4> {
        self.bind(
            client,
            &params.account_id,
            &params.before_id,
            &params.offset,
            &params.limit,
        )
    }
}
