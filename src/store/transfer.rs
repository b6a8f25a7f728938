use chrono::{DateTime, Utc};
use codegen::queries::{
    idempotency_keys::get_idempotency_record,
    transfers::{
        DecideKeyedTransferStmt, DecideTransferStmt, MovedBalances, PostedEntries, TransferReceipt,
        apply_transfer_balances, decide_keyed_transfer, decide_transfer, get_transfer_receipt,
        post_transfer, post_transfer_entries,
    },
};
use serde::{Deserialize, Serialize};

use super::{Account, Conn, Entry, Store, Transfer, error::TxError, retry::with_retry};
use crate::{
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
    /// failure, in one round trip: BEGIN, `decide_transfer` (with an idempotency key
    /// `decide_keyed_transfer`, which also claims the key and stores the response the
    /// writes will give), the three writes and COMMIT go out together. A key that
    /// already holds a response is replayed (or another body refused).
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
            let conn = self.transaction().await?;
            let key = idempotency.map(|request| KeyToRemember {
                request,
                fingerprint: order.fingerprint(),
                ttl_seconds: self.idempotency_key_ttl.as_secs_f64(),
            });
            let moved = in_one_round_trip(&conn, order, key.as_ref()).await;
            match (conn.finish(moved).await, idempotency) {
                (Ok(moved), Some(request)) if moved.verdict == "key_taken" => {
                    self.replay(order, request).await
                }
                (Ok(moved), _) => Ok(TransferOutcome {
                    result: verdict(order, moved)?,
                    replayed: false,
                }),
                (Err(err), _) => Err(err),
            }
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
        let stored = serde_json::from_value(body).map_err(|err| {
            AppError::Internal(anyhow::Error::new(err).context("stored transfer response"))
        })?;
        let result = match stored {
            StoredResponse::Receipt(receipt) => self.read_back(&receipt).await?,
            StoredResponse::Whole(result) => *result,
        };
        Ok(TransferOutcome {
            result,
            replayed: true,
        })
    }

    /// The response of the transfer a receipt describes, from the rows it wrote.
    async fn read_back(&self, receipt: &Receipt) -> Result<TransferResult, TxError> {
        let conn = self.read().await?;
        let rows = get_transfer_receipt()
            .bind(
                &conn,
                &receipt.from_entry_id,
                &receipt.to_entry_id,
                &receipt.transfer_id,
            )
            .opt()
            .await;
        let rows = conn.finish(rows).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "transfer {} of an idempotency receipt is missing",
                receipt.transfer_id
            ))
        })?;
        Ok(receipt.response(rows))
    }
}

/// What an idempotency key holds after a transfer it did: a receipt since the
/// receipt was introduced, the whole response before (rows written by an older
/// version replay until they expire).
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredResponse {
    Receipt(Receipt),
    Whole(Box<TransferResult>),
}

/// What `decide_keyed_transfer` stores for a transfer: what only that moment knows
/// (the ids it took and both balances right after); the rest is in the rows written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Receipt {
    transfer_id: i64,
    from_entry_id: i64,
    to_entry_id: i64,
    from_balance: i64,
    to_balance: i64,
}

impl Receipt {
    fn response(&self, rows: TransferReceipt) -> TransferResult {
        TransferResult {
            transfer: Transfer {
                id: rows.id,
                from_account_id: rows.from_account_id,
                to_account_id: rows.to_account_id,
                amount: rows.amount,
                created_at: rows.created_at,
            },
            from_account: Account {
                id: rows.from_account_id,
                owner: rows.from_owner,
                balance: self.from_balance,
                currency: rows.from_currency,
                created_at: rows.from_created_at,
            },
            to_account: Account {
                id: rows.to_account_id,
                owner: rows.to_owner,
                balance: self.to_balance,
                currency: rows.to_currency,
                created_at: rows.to_created_at,
            },
            from_entry: Entry {
                id: self.from_entry_id,
                account_id: rows.from_account_id,
                amount: rows.from_entry_amount,
                created_at: rows.from_entry_created_at,
            },
            to_entry: Entry {
                id: self.to_entry_id,
                account_id: rows.to_account_id,
                amount: rows.to_entry_amount,
                created_at: rows.to_entry_created_at,
            },
        }
    }
}

/// What a keyed transfer stores under its key.
struct KeyToRemember<'a> {
    request: &'a IdempotentRequest,
    fingerprint: String,
    ttl_seconds: f64,
}

/// What a transfer's statements returned; `verdict` 'ok' means every write happened,
/// 'key_taken' that an earlier request with the key holds the response.
struct Moved {
    verdict: String,
    transfer: Option<Transfer>,
    entries: Option<PostedEntries>,
    balances: Option<MovedBalances>,
}

/// A transfer's statements, sent at once: its verdict (with a key, the claim of the
/// key), then the transfer, its entries and both balances (each written only if the
/// verdict is 'ok'), and the COMMIT. Small statements
/// keep planning cheap where nothing may stay prepared (transaction mode), and in
/// session mode they run faster than one big statement.
async fn in_one_round_trip(
    conn: &Conn,
    order: &TransferOrder,
    key: Option<&KeyToRemember<'_>>,
) -> Result<Moved, TxError> {
    let (from, to) = (order.from_account_id.get(), order.to_account_id.get());
    let amount = order.amount.cents();
    let required_owner = order.required_owner.as_ref().map(Username::as_str);
    let currency = order.currency.as_str();
    // Prepared in the order they run (see `Conn`).
    let decide = match key {
        None => Decide::Plain(decide_transfer().prepare(conn).await?),
        Some(key) => Decide::Keyed(decide_keyed_transfer().prepare(conn).await?, key),
    };
    let post = post_transfer().prepare(conn).await?;
    let post_entries = post_transfer_entries().prepare(conn).await?;
    let apply_balances = apply_transfer_balances().prepare(conn).await?;
    conn.commit_after(4);
    let decided = async {
        match &decide {
            Decide::Plain(decide) => {
                decide
                    .bind(conn, &from, &to, &required_owner, &currency, &amount)
                    .one()
                    .await
            }
            Decide::Keyed(decide, key) => {
                decide
                    .bind(
                        conn,
                        &from,
                        &to,
                        &required_owner,
                        &currency,
                        &amount,
                        &key.request.caller.as_str(),
                        &key.request.key.as_str(),
                        &key.fingerprint.as_str(),
                        &key.ttl_seconds,
                    )
                    .one()
                    .await
            }
        }
    };
    // `biased` polls in the order written, so the requests leave in that order.
    let (decided, transfer, entries, balances) = tokio::join!(
        biased;
        decided,
        post.bind(conn, &from, &to, &amount).opt(),
        post_entries.bind(conn, &from, &amount, &to).opt(),
        apply_balances.bind(conn, &from, &amount, &to).opt(),
    );
    // The first error is the cause; later statements only saw an aborted transaction.
    Ok(Moved {
        verdict: decided?.verdict,
        transfer: transfer?,
        entries: entries?,
        balances: balances?,
    })
}

/// A transfer's first statement: with an idempotency key it also claims the key.
enum Decide<'k> {
    Plain(DecideTransferStmt),
    Keyed(DecideKeyedTransferStmt, &'k KeyToRemember<'k>),
}

/// Turns the statement's verdict into the transfer it wrote, or the rule that refused it.
fn verdict(order: &TransferOrder, moved: Moved) -> Result<TransferResult, TxError> {
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
            "decide_transfer returned the unknown verdict {other:?}"
        ))),
    };
    if let Some(refusal) = refusal {
        return Err(refusal.into());
    }
    let (Some(transfer), Some(entries), Some(balances)) =
        (moved.transfer, moved.entries, moved.balances)
    else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "decide_transfer said ok but the writes did not all happen"
        ))
        .into());
    };
    let (amount, currency) = (order.amount.cents(), order.currency.as_str());
    let account = |id: AccountId, owner: String, balance: i64, created_at: DateTime<Utc>| Account {
        id: id.get(),
        owner,
        balance,
        currency: currency.to_owned(),
        created_at,
    };
    let entry = |id: i64, account_id: AccountId, amount: i64, created_at: DateTime<Utc>| Entry {
        id,
        account_id: account_id.get(),
        amount,
        created_at,
    };
    Ok(TransferResult {
        transfer,
        from_account: account(
            from_id,
            balances.from_owner,
            balances.from_balance,
            balances.from_created_at,
        ),
        to_account: account(
            to_id,
            balances.to_owner,
            balances.to_balance,
            balances.to_created_at,
        ),
        from_entry: entry(
            entries.from_entry_id,
            from_id,
            -amount,
            entries.from_entry_created_at,
        ),
        to_entry: entry(
            entries.to_entry_id,
            to_id,
            amount,
            entries.to_entry_created_at,
        ),
    })
}
