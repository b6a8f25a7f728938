use std::fmt;

use super::TextRule;
use crate::error::AppError;

/// A password as typed: 6 to 100 characters. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

static PASSWORD: TextRule = TextRule::new(6, 100, None, None, &[]);

impl Password {
    pub const RULE: &TextRule = &PASSWORD;

    pub fn parse(value: &str) -> Result<Self, AppError> {
        if Self::RULE.allows(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(AppError::invalid_field(
                "password",
                "must be 6 to 100 characters",
            ))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's name: 3 to 100 characters, letters of any script (with their
/// combining marks, so decomposed accents count) and spaces, at least one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

static FULL_NAME: TextRule = TextRule::new(
    3,
    100,
    Some(r"^[\p{L}\p{M} ]*\p{L}[\p{L}\p{M} ]*$"),
    None,
    &[],
);

impl FullName {
    pub const RULE: &TextRule = &FULL_NAME;

    pub fn parse(value: &str) -> Result<Self, AppError> {
        if Self::RULE.allows(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(AppError::invalid_field(
                "full_name",
                "must be 3 to 100 characters of letters and spaces",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, at most 200 characters, stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

static EMAIL: TextRule = TextRule::new(0, 200, None, Some("email"), &[]);

impl Email {
    /// The `email` format is `is_plausible_address`; it admits ASCII only, so the
    /// length in characters is the length in bytes.
    pub const RULE: &TextRule = &EMAIL;

    pub fn parse(value: &str) -> Result<Self, AppError> {
        if Self::RULE.allows(value) && is_plausible_address(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(AppError::invalid_field(
                "email",
                "must be a valid e-mail address of at most 200 characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `local@domain.tld`: a dot-atom local part and a domain of at least two labels.
fn is_plausible_address(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("secret").is_ok());
        assert!(Password::parse("ééééé").is_err());
        assert!(Password::parse("éééééé").is_ok());
        assert!(Password::parse(&"p".repeat(101)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn full_name_takes_letters_of_any_script() {
        for good in ["Ada Lovelace", "José Ñúñez", "Алёна Петрова", "李小龍"] {
            assert!(FullName::parse(good).is_ok(), "{good:?}");
        }
        // Decomposed accents: a letter followed by a combining mark.
        assert!(FullName::parse("Jose\u{301} Nu\u{303}n\u{303}ez").is_ok());
        for bad in [
            "Al",
            "R2 D2",
            "x_y",
            "   ",
            "Ada-Lovelace",
            "\u{301}\u{301} \u{301}",
        ] {
            assert!(FullName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn email_must_look_like_an_address() {
        for good in [
            "a@b.co",
            "first.last+tag@mail.example.com",
            "ALICE@EXAMPLE.ORG",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "plain",
            "a@b",
            "@b.co",
            "a@.co",
            "a b@c.co",
            "a..b@c.co",
            "a@b..co",
            "a@-b.co",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(140));
        assert!(long.len() > 200 && Email::parse(&long).is_err());
    }
}
