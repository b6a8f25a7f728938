//! Requests as the service takes them: parsed from raw transport values in one
//! place, every invalid field reported at once.

use crate::{
    domain::{AccountId, Amount, Currency, Email, FullName, Password, Username, Violations},
    error::AppError,
};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub password: Password,
    pub full_name: FullName,
    pub email: Email,
}

impl NewUser {
    pub fn parse(
        username: Option<&str>,
        password: Option<&str>,
        full_name: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let username = v.required("username", username, Username::parse);
        let password = v.required("password", password, Password::parse);
        let full_name = v.required("full_name", full_name, FullName::parse);
        let email = v.required("email", email, Email::parse);
        v.finish(|| {
            Some(Self {
                username: username?,
                password: password?,
                full_name: full_name?,
                email: email?,
            })
        })
    }
}

/// Login takes the raw password: its rules are checked at registration, and a
/// login must not reveal which rule a guess broke.
#[derive(Debug, Clone)]
pub struct LoginInput {
    pub username: Username,
    pub password: String,
}

impl LoginInput {
    pub fn parse(username: Option<&str>, password: Option<&str>) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let username = v.required("username", username, Username::parse);
        let password = v.required("password", password, |p: &str| {
            Password::parse(p).map(|_| p.to_owned())
        });
        v.finish(|| {
            Some(Self {
                username: username?,
                password: password?,
            })
        })
    }
}

/// Any of the fields; at least one.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<FullName>,
    pub email: Option<Email>,
    pub password: Option<Password>,
}

impl UserChanges {
    pub fn parse(
        full_name: Option<&str>,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let changes = Self {
            full_name: full_name.and_then(|value| v.check(FullName::parse(value))),
            email: email.and_then(|value| v.check(Email::parse(value))),
            password: password.and_then(|value| v.check(Password::parse(value))),
        };
        if full_name.is_none() && email.is_none() && password.is_none() {
            return Err(AppError::invalid_field(
                "request",
                "give at least one of full_name, email, password",
            ));
        }
        v.finish(|| Some(changes))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInput {
    pub from_account_id: AccountId,
    pub to_account_id: AccountId,
    pub amount: Amount,
    pub currency: Currency,
}

impl TransferInput {
    pub fn parse(
        from_account_id: Option<i64>,
        to_account_id: Option<i64>,
        amount: Option<i64>,
        currency: Option<&str>,
    ) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let from = v.required("from_account_id", from_account_id, |id| {
            AccountId::parse_field(id, "from_account_id")
        });
        let to = v.required("to_account_id", to_account_id, |id| {
            AccountId::parse_field(id, "to_account_id")
        });
        let amount = v.required("amount", amount, Amount::parse);
        let currency = v.required("currency", currency, Currency::parse);
        v.finish(|| {
            Some(Self {
                from_account_id: from?,
                to_account_id: to?,
                amount: amount?,
                currency: currency?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: AppError) -> Vec<String> {
        match err {
            AppError::InvalidArgument(violations) => {
                violations.into_iter().map(|v| v.field).collect()
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn new_user_reports_every_invalid_and_missing_field() {
        let err = NewUser::parse(Some("A!"), None, Some("x"), Some("nope")).unwrap_err();
        assert_eq!(fields(err), ["username", "password", "full_name", "email"]);
    }

    #[test]
    fn transfer_input_reports_every_field() {
        let err = TransferInput::parse(Some(0), None, Some(-1), Some("GBP")).unwrap_err();
        assert_eq!(
            fields(err),
            ["from_account_id", "to_account_id", "amount", "currency"]
        );
        assert!(TransferInput::parse(Some(1), Some(2), Some(3), Some("USD")).is_ok());
    }

    #[test]
    fn user_changes_need_at_least_one_valid_field() {
        assert_eq!(
            fields(UserChanges::parse(None, None, None).unwrap_err()),
            ["request"]
        );
        assert_eq!(
            fields(UserChanges::parse(Some("x"), Some("bad"), None).unwrap_err()),
            ["full_name", "email"]
        );
        let changes = UserChanges::parse(None, Some("new@example.com"), None).unwrap();
        assert!(changes.email.is_some() && changes.full_name.is_none());
    }

    #[test]
    fn login_checks_shapes_not_which_rule_a_guess_broke() {
        assert_eq!(
            fields(LoginInput::parse(None, None).unwrap_err()),
            ["username", "password"]
        );
        assert!(LoginInput::parse(Some("alice"), Some("secret")).is_ok());
    }
}
