use std::fmt;

use super::TextRule;
use crate::error::AppError;

/// A login name: 3 to 100 characters of `[a-z0-9_]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// `login`, `logout` and `me` are paths under `/users/`, so they cannot name a user.
static USERNAME: TextRule = TextRule::new(
    3,
    100,
    Some("^[a-z0-9_]+$"),
    None,
    &["login", "logout", "me"],
);

impl Username {
    pub const RULE: &TextRule = &USERNAME;

    pub fn parse(value: &str) -> Result<Self, AppError> {
        if Self::RULE.allows(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(AppError::invalid_field(
                "username",
                if Self::RULE.reserved.contains(&value) {
                    "is reserved"
                } else {
                    "must be 3 to 100 characters of lowercase letters, digits or underscores"
                },
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do: depositors own accounts, bankers also deposit and read any account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Depositor,
    Banker,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Depositor, Role::Banker];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Depositor => "depositor",
            Self::Banker => "banker",
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        match value {
            "depositor" => Ok(Self::Depositor),
            "banker" => Ok(Self::Banker),
            _ => Err(AppError::invalid_field(
                "role",
                "must be 'depositor' or 'banker'",
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client-chosen key that makes a request safe to retry: 1 to 64 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

static IDEMPOTENCY_KEY: TextRule = TextRule::new(1, 64, Some("^[!-~]+$"), None, &[]);

impl IdempotencyKey {
    /// `!` to `~`: the visible ASCII characters.
    pub const RULE: &TextRule = &IDEMPOTENCY_KEY;

    pub fn parse(value: &str) -> Result<Self, AppError> {
        if Self::RULE.allows(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(AppError::invalid_field(
                "idempotency_key",
                "must be 1 to 64 visible ASCII characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_allows_lowercase_digits_and_underscore() {
        assert!(Username::parse("alice_01").is_ok());
        assert!(Username::parse(&"a".repeat(100)).is_ok());
        for bad in [
            "al", "Alice", "al ice", "al-ice", "ålice", "", "login", "logout",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(Username::parse(&"a".repeat(101)).is_err());
    }

    #[test]
    fn role_round_trips_through_its_name() {
        for role in [Role::Depositor, Role::Banker] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn idempotency_key_is_visible_ascii_up_to_64() {
        assert!(IdempotencyKey::parse("8f14e45f-ceea-467f-a0e6-7f1b8c3f6d2a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(64)).is_ok());
        for bad in ["", "has space", "tab\t", "é"] {
            assert!(
                IdempotencyKey::parse(bad).is_err(),
                "{bad:?} must be refused"
            );
        }
        assert!(IdempotencyKey::parse(&"k".repeat(65)).is_err());
    }
}
