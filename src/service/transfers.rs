use super::{Bank, Principal, TransferInput, forbidden};
use crate::{
    domain::{AccountId, IdempotencyKey, Listed, Listing, PageRequest},
    error::AppError,
    store::{BankStore, IdempotentRequest, Transfer, TransferOrder, TransferOutcome},
};

impl<S: BankStore> Bank<S> {
    /// Moves money from the caller's account. Every rule is checked inside the
    /// transaction that moves it (see `Store::transfer`).
    #[tracing::instrument(skip_all, fields(caller = %caller.username))]
    pub async fn create_transfer(
        &self,
        caller: &Principal,
        input: TransferInput,
        idempotency_key: Option<IdempotencyKey>,
    ) -> Result<TransferOutcome, AppError> {
        let order = TransferOrder {
            from_account_id: input.from_account_id,
            to_account_id: input.to_account_id,
            amount: input.amount,
            currency: input.currency,
            required_owner: Some(caller.username.clone()),
        };
        let idempotency = idempotency_key.map(|key| IdempotentRequest {
            caller: caller.username.clone(),
            key,
        });
        let outcome = self.store.transfer(&order, idempotency.as_ref()).await;
        self.metrics
            .record_transfer(outcome.as_ref().map(|outcome| outcome.replayed));
        outcome
    }

    /// A transfer the caller is a party to (or any, for a banker).
    pub async fn get_transfer(&self, caller: &Principal, id: i64) -> Result<Transfer, AppError> {
        let found = self
            .store
            .get_transfer(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("transfer {id} not found")))?;
        let me = caller.username.as_str();
        if found.from_owner != me && found.to_owner != me && !caller.is_banker() {
            return Err(forbidden(format_args!("transfer {id}")));
        }
        Ok(Transfer {
            id: found.id,
            from_account_id: found.from_account_id,
            to_account_id: found.to_account_id,
            amount: found.amount,
            created_at: found.created_at,
        })
    }

    /// Transfers touching an account, newest first, and the token of the next page;
    /// same access rule as the account.
    pub async fn list_transfers(
        &self,
        caller: &Principal,
        account: AccountId,
        page: PageRequest,
    ) -> Result<Listed<Transfer>, AppError> {
        let window = page.window(Listing::Transfers, account)?;
        self.get_account(caller, account).await?;
        let rows = self.store.list_transfers(account, window).await?;
        Ok(window.page(rows, |transfer| transfer.id))
    }
}
