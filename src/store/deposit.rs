use codegen::queries::{accounts::add_account_balance, entries::create_entry};
use serde::{Deserialize, Serialize};

use super::{Account, Entry, Store, error::TxError, retry::with_retry};
use crate::{
    domain::{AccountId, Amount},
    error::AppError,
};

/// Money the bank put into an account: the new balance and its entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deposit {
    pub account: Account,
    pub entry: Entry,
}

impl Store {
    /// Adds money to an account: the balance and its entry change in one transaction.
    #[tracing::instrument(skip(self))]
    pub async fn deposit(
        &self,
        account_id: AccountId,
        amount: Amount,
    ) -> Result<Deposit, AppError> {
        let _pass = self
            .money_gate
            .enter(&[account_id.get()], &self.pressure)
            .await?;
        with_retry("deposit", &self.pressure, || async {
            let tx = self.transaction().await?;
            let deposited = async {
                // Prepared in the order they run (see `Conn`).
                let add_balance = add_account_balance().prepare(&tx).await?;
                let create_entry = create_entry().prepare(&tx).await?;
                tx.commit_after(2);
                // The update locks the row first, so concurrent deposits serialise on it.
                let account = add_balance
                    .bind(&tx, &amount.cents(), &account_id.get())
                    .opt()
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("account {account_id} not found")))?;
                let entry = create_entry
                    .bind(&tx, &account_id.get(), &amount.cents())
                    .one()
                    .await?;
                Ok::<_, TxError>(Deposit { account, entry })
            }
            .await;
            tx.finish(deposited).await
        })
        .await
    }
}
