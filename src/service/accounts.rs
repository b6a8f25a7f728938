use super::{Bank, Principal, forbidden};
use crate::{
    domain::{AccountId, Amount, Currency, Listed, Listing, Page, PageRequest},
    error::AppError,
    store::{Account, BankStore, Deposit, Entry},
};

impl<S: BankStore> Bank<S> {
    pub async fn create_account(
        &self,
        caller: &Principal,
        currency: Currency,
    ) -> Result<Account, AppError> {
        self.store
            .create_account(caller.username.as_str(), currency)
            .await
    }

    /// The account if it exists (404) and the caller owns it or is a banker (403).
    pub async fn get_account(
        &self,
        caller: &Principal,
        id: AccountId,
    ) -> Result<Account, AppError> {
        let account = self
            .store
            .get_account(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("account {id} not found")))?;
        if account.owner != caller.username.as_str() && !caller.is_banker() {
            return Err(forbidden(format_args!("account {id}")));
        }
        Ok(account)
    }

    pub async fn list_accounts(
        &self,
        caller: &Principal,
        page: Page,
    ) -> Result<Vec<Account>, AppError> {
        self.store
            .list_accounts(caller.username.as_str(), page)
            .await
    }

    /// An account's statement, newest first, and the token of the next page.
    pub async fn list_entries(
        &self,
        caller: &Principal,
        account: AccountId,
        page: PageRequest,
    ) -> Result<Listed<Entry>, AppError> {
        let window = page.window(Listing::Entries, account)?;
        self.get_account(caller, account).await?;
        let rows = self.store.list_entries(account, window).await?;
        Ok(window.page(rows, |entry| entry.id))
    }

    /// Money entering through the bank: bankers only.
    pub async fn deposit(
        &self,
        caller: &Principal,
        account: AccountId,
        amount: Amount,
    ) -> Result<Deposit, AppError> {
        if !caller.is_banker() {
            return Err(AppError::PermissionDenied(
                "only bankers may deposit".to_owned(),
            ));
        }
        let deposit = self.store.deposit(account, amount).await;
        self.metrics.record_deposit(deposit.is_ok());
        deposit
    }

    /// A deposit made by the operator on the command line.
    pub async fn deposit_as_operator(
        &self,
        account: AccountId,
        amount: Amount,
    ) -> Result<Deposit, AppError> {
        let deposit = self.store.deposit(account, amount).await;
        self.metrics.record_deposit(deposit.is_ok());
        deposit
    }
}
