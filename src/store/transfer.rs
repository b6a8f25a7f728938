use codegen::queries::{
    accounts::{add_account_balance, lock_account_pair},
    entries::create_entry,
    idempotency_keys::{complete_idempotency_key, get_idempotency_record, reserve_idempotency_key},
    transfers::create_transfer,
};
use deadpool_postgres::Transaction;
use serde::{Deserialize, Serialize};

use super::{Account, Entry, Store, Transfer, error::TxError, retry::with_retry};
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

/// The HTTP status stored with a completed transfer, so replays can repeat it.
const CREATED: i16 = 201;

impl Store {
    /// Moves money between two accounts in one transaction, retried on deadlock or
    /// serialization failure. With `idempotency`, the key is claimed in the same
    /// transaction: a repeat returns the stored result, a different body is refused.
    #[tracing::instrument(skip(self), fields(from = %order.from_account_id, to = %order.to_account_id))]
    pub async fn transfer(
        &self,
        order: &TransferOrder,
        idempotency: Option<&IdempotentRequest>,
    ) -> Result<TransferOutcome, AppError> {
        with_retry("transfer", || async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            if let Some(request) = idempotency
                && let Some(replay) =
                    claim_key(&tx, request, &order.fingerprint(), self.idempotency_key_ttl).await?
            {
                return Ok(TransferOutcome {
                    result: replay,
                    replayed: true,
                });
            }
            let result = move_money(&tx, order).await?;
            if let Some(request) = idempotency {
                store_response(&tx, request, &result).await?;
            }
            tx.commit().await?;
            Ok(TransferOutcome {
                result,
                replayed: false,
            })
        })
        .await
    }
}

/// Claims the key for this transaction. Returns the stored result when an earlier
/// request with the same key and body already completed.
async fn claim_key(
    tx: &Transaction<'_>,
    request: &IdempotentRequest,
    fingerprint: &str,
    ttl: std::time::Duration,
) -> Result<Option<TransferResult>, TxError> {
    let (caller, key) = (request.caller.as_str(), request.key.as_str());
    // A concurrent request with the same key blocks here until the first commits;
    // an expired key is taken over as new by the same statement.
    let reserved = reserve_idempotency_key()
        .prepare(tx)
        .await?
        .bind(tx, &caller, &key, &fingerprint, &ttl.as_secs_f64())
        .opt()
        .await?;
    if reserved.is_some() {
        return Ok(None);
    }
    let earlier = get_idempotency_record()
        .bind(tx, &caller, &key)
        .one()
        .await?;
    if earlier.request_fingerprint != fingerprint {
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
    Ok(Some(result))
}

async fn store_response(
    tx: &Transaction<'_>,
    request: &IdempotentRequest,
    result: &TransferResult,
) -> Result<(), TxError> {
    let body = serde_json::to_value(result).map_err(|err| {
        AppError::Internal(anyhow::Error::new(err).context("encoding transfer response"))
    })?;
    complete_idempotency_key()
        .prepare(tx)
        .await?
        .bind(
            tx,
            &CREATED,
            &body,
            &request.caller.as_str(),
            &request.key.as_str(),
        )
        .await?;
    Ok(())
}

async fn move_money(
    tx: &Transaction<'_>,
    order: &TransferOrder,
) -> Result<TransferResult, TxError> {
    let (from_id, to_id) = (order.from_account_id.get(), order.to_account_id.get());
    let (amount, debit) = (order.amount.cents(), -order.amount.cents());

    // Both rows are locked in ascending id order by one statement, so every
    // transfer takes its locks in the same order and none can wait on another
    // that waits on it.
    let locked = lock_account_pair()
        .prepare(tx)
        .await?
        .bind(tx, &from_id.min(to_id), &from_id.max(to_id))
        .all()
        .await?;
    let find = |id: i64| {
        locked
            .iter()
            .find(|account| account.id == id)
            .ok_or_else(|| AppError::NotFound(format!("account {id} not found")))
    };
    let from = find(from_id)?;
    if let Some(owner) = &order.required_owner
        && from.owner != owner.as_str()
    {
        return Err(AppError::PermissionDenied(format!(
            "account {from_id} does not belong to you"
        ))
        .into());
    }
    let to = find(to_id)?;
    if from_id == to_id {
        return Err(AppError::FailedPrecondition(BusinessRule::SameAccount).into());
    }
    let currency = order.currency.as_str();
    if from.currency != currency || to.currency != currency {
        return Err(AppError::FailedPrecondition(BusinessRule::CurrencyMismatch).into());
    }
    if from.balance < amount {
        return Err(AppError::FailedPrecondition(BusinessRule::InsufficientFunds).into());
    }

    // Prepared statements are cached per connection, so after warm-up these cost nothing.
    let (create_transfer, create_entry, add_balance) = tokio::try_join!(
        create_transfer().prepare(tx),
        create_entry().prepare(tx),
        add_account_balance().prepare(tx),
    )?;
    // The five writes are sent together (pipelined): one round trip, executed in order.
    let (transfer, from_entry, to_entry, from_account, to_account) = tokio::try_join!(
        create_transfer.bind(tx, &from_id, &to_id, &amount).one(),
        create_entry.bind(tx, &from_id, &debit).one(),
        create_entry.bind(tx, &to_id, &amount).one(),
        add_balance.bind(tx, &debit, &from_id).one(),
        add_balance.bind(tx, &amount, &to_id).one(),
    )?;
    Ok(TransferResult {
        transfer,
        from_account,
        to_account,
        from_entry,
        to_entry,
    })
}
