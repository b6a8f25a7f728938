use chrono::{DateTime, Utc};
use codegen::{
    client::Params,
    queries::{
        idempotency_keys::{get_idempotency_record, reserve_idempotency_key},
        transfers::{
            MoneyMoved, TransferMoneyParams, apply_transfer_balances, decide_transfer,
            post_transfer, post_transfer_entries, transfer_money,
        },
    },
};
use deadpool_postgres::Object;
use serde::{Deserialize, Serialize};

use super::{Account, Conn, Entry, Store, Transfer, error::TxError, retry::with_retry};
use crate::{
    config::PoolMode,
    domain::{AccountId, Amount, Currency, IdempotencyKey, Username},
    error::{AppError, BusinessRule},
};

/// What a client asks to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOrder {
    pub from_account_id: AccountId,
    pub to_account_id: AccountId,
    pub amount: Amount,
    pub currency: Currency,
    /// When set, the source account must belong to this user.
    pub required_owner: Option<Username>,
}

impl TransferOrder {
    /// Identifies the request body: a replay with another body is refused.
    fn fingerprint(&self) -> String {
        format!(
            "transfer from={} to={} amount={} currency={}",
            self.from_account_id, self.to_account_id, self.amount, self.currency
        )
    }
}

/// An idempotency key scoped to the user who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub caller: Username,
    pub key: IdempotencyKey,
}

/// Everything a transfer wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferResult {
    pub transfer: Transfer,
    pub from_account: Account,
    pub to_account: Account,
    pub from_entry: Entry,
    pub to_entry: Entry,
}

/// A transfer's result, and whether it was replayed from an earlier request with
/// the same idempotency key (then no money moved this time).
#[derive(Debug, Clone, PartialEq)]
pub struct TransferOutcome {
    pub result: TransferResult,
    pub replayed: bool,
}

impl Store {
    /// Moves money between two accounts, retried on deadlock or serialization
    /// failure, in one round trip. Without an idempotency key: BEGIN, the four small
    /// statements of `decide_transfer` and COMMIT go out together. With a key: BEGIN,
    /// the reservation, the transfer in one statement (`transfer_money`, which stores
    /// the response on the key) and COMMIT.
    #[tracing::instrument(skip(self), fields(from = %order.from_account_id, to = %order.to_account_id))]
    pub async fn transfer(
        &self,
        order: &TransferOrder,
        idempotency: Option<&IdempotentRequest>,
    ) -> Result<TransferOutcome, AppError> {
        // First the turn on both accounts (see `gate`), so a held row costs one connection.
        let accounts = [order.from_account_id.get(), order.to_account_id.get()];
        let _pass = self.money_gate.enter(&accounts, &self.pressure).await?;
        with_retry("transfer", &self.pressure, || async {
            let Some(request) = idempotency else {
                let conn = self.transaction().await?;
                let moved = unkeyed_in_one_round_trip(&conn, order).await;
                let moved = conn.finish(moved).await?;
                return Ok(TransferOutcome {
                    result: verdict(order, moved)?,
                    replayed: false,
                });
            };
            let moved = match self.pool_mode {
                PoolMode::Session => {
                    let client = self.checkout().await?;
                    keyed_in_one_round_trip(&client, order, request, self.idempotency_key_ttl)
                        .await?
                }
                PoolMode::Transaction => {
                    let conn = self.transaction().await?;
                    let moved =
                        keyed_in_one_transaction(&conn, order, request, self.idempotency_key_ttl)
                            .await;
                    conn.finish(moved).await?
                }
            };
            if moved.verdict != "key_taken" {
                return Ok(TransferOutcome {
                    result: verdict(order, moved)?,
                    replayed: false,
                });
            }
            self.replay(order, request).await
        })
        .await
    }

    /// The outcome stored under a key that an earlier request took: the same body
    /// replays it, another body is a conflict.
    async fn replay(
        &self,
        order: &TransferOrder,
        request: &IdempotentRequest,
    ) -> Result<TransferOutcome, TxError> {
        let (caller, key) = (request.caller.as_str(), request.key.as_str());
        let conn = self.read().await?;
        let earlier = get_idempotency_record()
            .bind(&conn, &caller, &key)
            .opt()
            .await;
        let earlier = conn.finish(earlier).await?.ok_or_else(|| {
            AppError::Unavailable(anyhow::anyhow!(
                "idempotency key {key} was taken, then gone before it could be read"
            ))
        })?;
        if earlier.request_fingerprint != order.fingerprint() {
            return Err(AppError::IdempotencyConflict.into());
        }
        let body = earlier.response_body.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "idempotency record committed without a response"
            ))
        })?;
        let result = serde_json::from_value(body).map_err(|err| {
            AppError::Internal(anyhow::Error::new(err).context("stored transfer response"))
        })?;
        Ok(TransferOutcome {
            result,
            replayed: true,
        })
    }
}

impl TransferOrder {
    fn params<'a>(
        &'a self,
        key: Option<&'a IdempotentRequest>,
    ) -> TransferMoneyParams<&'a str, &'a str, &'a str, &'a str> {
        TransferMoneyParams {
            idempotency_key: key.map(|request| request.key.as_str()),
            caller: key.map(|request| request.caller.as_str()),
            from_account_id: self.from_account_id.get(),
            to_account_id: self.to_account_id.get(),
            required_owner: self.required_owner.as_ref().map(Username::as_str),
            currency: self.currency.as_str(),
            amount: self.amount.cents(),
        }
    }
}

/// A transfer without an idempotency key: its verdict, then the transfer, its entries
/// and both balances, written only if the verdict is 'ok', and the COMMIT, all sent
/// at once. Small statements keep planning cheap where nothing may stay prepared
/// (transaction mode), and in session mode they run faster than one big statement.
async fn unkeyed_in_one_round_trip(
    conn: &Conn,
    order: &TransferOrder,
) -> Result<MoneyMoved, TxError> {
    let (from, to) = (order.from_account_id.get(), order.to_account_id.get());
    let amount = order.amount.cents();
    let required_owner = order.required_owner.as_ref().map(Username::as_str);
    let currency = order.currency.as_str();
    // In the order they run (see `Conn`).
    let decide = decide_transfer().prepare(conn).await?;
    let post = post_transfer().prepare(conn).await?;
    let post_entries = post_transfer_entries().prepare(conn).await?;
    let apply_balances = apply_transfer_balances().prepare(conn).await?;
    conn.commit_after(4);
    // `biased` polls in the order written, so the requests leave in that order.
    let (decided, transfer, entries, balances) = tokio::join!(
        biased;
        decide.bind(conn, &from, &to, &required_owner, &currency, &amount).one(),
        post.bind(conn, &from, &to, &amount).opt(),
        post_entries.bind(conn, &from, &amount, &to).opt(),
        apply_balances.bind(conn, &from, &amount, &to).opt(),
    );
    // The first error is the cause; later statements only saw an aborted transaction.
    let decided = decided?;
    let (transfer, entries, balances) = (transfer?, entries?, balances?);
    Ok(MoneyMoved {
        verdict: decided.verdict,
        transfer_id: transfer.as_ref().map(|transfer| transfer.id),
        transfer_created_at: transfer.map(|transfer| transfer.created_at),
        from_entry_id: entries.as_ref().map(|entries| entries.from_entry_id),
        from_entry_created_at: entries
            .as_ref()
            .map(|entries| entries.from_entry_created_at),
        to_entry_id: entries.as_ref().map(|entries| entries.to_entry_id),
        to_entry_created_at: entries.map(|entries| entries.to_entry_created_at),
        from_owner: balances.as_ref().map(|moved| moved.from_owner.clone()),
        from_balance: balances.as_ref().map(|moved| moved.from_balance),
        from_currency: None,
        from_created_at: balances.as_ref().map(|moved| moved.from_created_at),
        to_owner: balances.as_ref().map(|moved| moved.to_owner.clone()),
        to_balance: balances.as_ref().map(|moved| moved.to_balance),
        to_currency: None,
        to_created_at: balances.map(|moved| moved.to_created_at),
    })
}

/// A transfer under an idempotency key, in one transaction sent as one round trip
/// (session mode: the statements are prepared and cached on the connection). If the
/// key was already taken, the verdict says so and nothing was written.
async fn keyed_in_one_round_trip(
    client: &Object,
    order: &TransferOrder,
    request: &IdempotentRequest,
    key_ttl: std::time::Duration,
) -> Result<MoneyMoved, TxError> {
    let (caller, key) = (request.caller.as_str(), request.key.as_str());
    let fingerprint = order.fingerprint();
    let key_ttl = key_ttl.as_secs_f64();
    // Prepared statements are cached per connection: after warm-up this costs nothing,
    // and every statement below is then sent at its first poll, in order.
    let (reserve, transfer) = tokio::try_join!(
        reserve_idempotency_key().prepare(client),
        transfer_money().prepare(client),
    )?;
    let params = order.params(Some(request));
    // `biased` polls in the order written, so the four requests leave in that order.
    // A concurrent holder of the same key makes the reservation wait until it commits;
    // a key older than its TTL is taken over as new.
    let (begun, reserved, moved, committed) = tokio::join!(
        biased;
        client.batch_execute("BEGIN"),
        reserve.bind(client, &caller, &key, &fingerprint, &key_ttl).opt(),
        transfer.params(client, &params).one(),
        // After an error above, PostgreSQL turns this COMMIT into a ROLLBACK.
        client.batch_execute("COMMIT"),
    );
    // The first error is the cause; later statements only saw an aborted transaction.
    begun?;
    reserved?;
    let moved = moved?;
    committed?;
    Ok(moved)
}

/// The same transaction behind a transaction-mode pooler, where nothing prepared may
/// outlive it: both statements go out unnamed with their types, between the BEGIN and
/// the COMMIT, in one round trip (after the pool learned their shapes once).
async fn keyed_in_one_transaction(
    conn: &Conn,
    order: &TransferOrder,
    request: &IdempotentRequest,
    key_ttl: std::time::Duration,
) -> Result<MoneyMoved, TxError> {
    let (caller, key) = (request.caller.as_str(), request.key.as_str());
    let fingerprint = order.fingerprint();
    let key_ttl = key_ttl.as_secs_f64();
    // In the order they run (see `Conn`).
    let reserve = reserve_idempotency_key().prepare(conn).await?;
    let transfer = transfer_money().prepare(conn).await?;
    let params = order.params(Some(request));
    conn.commit_after(2);
    // `biased` polls in the order written, so the requests leave in that order.
    let (reserved, moved) = tokio::join!(
        biased;
        reserve.bind(conn, &caller, &key, &fingerprint, &key_ttl).opt(),
        transfer.params(conn, &params).one(),
    );
    // The first error is the cause; the transfer then only saw an aborted transaction.
    reserved?;
    Ok(moved?)
}

/// Turns the statement's verdict into the transfer it wrote, or the rule that refused it.
fn verdict(order: &TransferOrder, moved: MoneyMoved) -> Result<TransferResult, TxError> {
    let (from_id, to_id) = (order.from_account_id, order.to_account_id);
    let refusal = match moved.verdict.as_str() {
        "ok" => None,
        "from_account_not_found" => {
            Some(AppError::NotFound(format!("account {from_id} not found")))
        }
        "not_owner" => Some(AppError::PermissionDenied(format!(
            "account {from_id} does not belong to you"
        ))),
        "to_account_not_found" => Some(AppError::NotFound(format!("account {to_id} not found"))),
        "same_account" => Some(AppError::FailedPrecondition(BusinessRule::SameAccount)),
        "currency_mismatch" => Some(AppError::FailedPrecondition(BusinessRule::CurrencyMismatch)),
        "insufficient_funds" => Some(AppError::FailedPrecondition(
            BusinessRule::InsufficientFunds,
        )),
        other => Some(AppError::Internal(anyhow::anyhow!(
            "transfer_money returned the unknown verdict {other:?}"
        ))),
    };
    if let Some(refusal) = refusal {
        return Err(refusal.into());
    }
    let written = || {
        AppError::Internal(anyhow::anyhow!(
            "transfer_money said ok but did not return what it wrote"
        ))
    };
    let (amount, currency) = (order.amount.cents(), order.currency.as_str().to_owned());
    let account = |id: AccountId,
                   owner: Option<String>,
                   balance: Option<i64>,
                   created_at: Option<DateTime<Utc>>| {
        Ok::<_, AppError>(Account {
            id: id.get(),
            owner: owner.ok_or_else(written)?,
            balance: balance.ok_or_else(written)?,
            currency: currency.clone(),
            created_at: created_at.ok_or_else(written)?,
        })
    };
    let entry =
        |id: Option<i64>, account_id: AccountId, amount: i64, created_at: Option<DateTime<Utc>>| {
            Ok::<_, AppError>(Entry {
                id: id.ok_or_else(written)?,
                account_id: account_id.get(),
                amount,
                created_at: created_at.ok_or_else(written)?,
            })
        };
    Ok(TransferResult {
        transfer: Transfer {
            id: moved.transfer_id.ok_or_else(written)?,
            from_account_id: from_id.get(),
            to_account_id: to_id.get(),
            amount,
            created_at: moved.transfer_created_at.ok_or_else(written)?,
        },
        from_account: account(
            from_id,
            moved.from_owner,
            moved.from_balance,
            moved.from_created_at,
        )?,
        to_account: account(to_id, moved.to_owner, moved.to_balance, moved.to_created_at)?,
        from_entry: entry(
            moved.from_entry_id,
            from_id,
            -amount,
            moved.from_entry_created_at,
        )?,
        to_entry: entry(moved.to_entry_id, to_id, amount, moved.to_entry_created_at)?,
    })
}
