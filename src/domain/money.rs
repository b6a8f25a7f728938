use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::{ID_RULE, IntRule};
use crate::error::AppError;

/// A currency the bank keeps accounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "CAD")]
    Cad,
}

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Usd, Currency::Eur, Currency::Cad];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Cad => "CAD",
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|currency| currency.as_str() == value)
            .ok_or_else(|| AppError::invalid_field("currency", "must be one of USD, EUR, CAD"))
    }
}

impl FromStr for Currency {
    type Err = AppError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A positive amount of money in minor units (cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

impl Amount {
    pub const RULE: IntRule = IntRule::at_least(1);

    pub fn parse(value: i64) -> Result<Self, AppError> {
        if Self::RULE.allows(value) {
            Ok(Self(value))
        } else {
            Err(AppError::invalid_field("amount", "must be greater than 0"))
        }
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of an account: an integer from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(i64);

impl AccountId {
    pub fn parse(value: i64) -> Result<Self, AppError> {
        Self::parse_field(value, "id")
    }

    /// Like `parse`, naming the input field in the error.
    pub fn parse_field(value: i64, field: &str) -> Result<Self, AppError> {
        if ID_RULE.allows(value) {
            Ok(Self(value))
        } else {
            Err(AppError::invalid_field(field, "must be at least 1"))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_accepts_exactly_the_supported_codes() {
        for currency in Currency::ALL {
            assert_eq!(Currency::parse(currency.as_str()).unwrap(), currency);
        }
        for bad in ["usd", "GBP", "", "USD "] {
            assert!(Currency::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn amount_must_be_positive() {
        assert_eq!(Amount::parse(1).unwrap().cents(), 1);
        assert_eq!(Amount::parse(i64::MAX).unwrap().cents(), i64::MAX);
        assert!(Amount::parse(0).is_err());
        assert!(Amount::parse(-5).is_err());
    }

    #[test]
    fn account_id_starts_at_one_and_names_its_field() {
        assert_eq!(AccountId::parse(1).unwrap().get(), 1);
        let Err(AppError::InvalidArgument(violations)) =
            AccountId::parse_field(0, "from_account_id")
        else {
            panic!("expected a validation error");
        };
        assert_eq!(violations[0].field, "from_account_id");
    }
}
