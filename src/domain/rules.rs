//! The input rules of API.md, each declared once. The validating constructors of
//! this module's types check values against them, and the OpenAPI spec publishes
//! the same values (`http::contract`), so the documented contract and the
//! validation cannot drift apart.

use std::sync::OnceLock;

use regex::Regex;

/// A rule on text: a length counted in characters (Unicode scalar values, as JSON
/// Schema counts them), an optional pattern and an optional format.
#[derive(Debug)]
pub struct TextRule {
    pub min_chars: usize,
    pub max_chars: usize,
    /// Anchored, in the syntax both `regex` and JSON Schema (ECMA-262 with Unicode
    /// property classes) read the same way.
    pub pattern: Option<&'static str>,
    /// A JSON Schema format that the type's constructor checks itself, e.g. `email`.
    pub format: Option<&'static str>,
    /// Values that match but are refused (words our routes use in the value's place).
    pub reserved: &'static [&'static str],
    compiled: OnceLock<Option<Regex>>,
}

/// Rules are `static`, so that each compiles its pattern once.
impl TextRule {
    pub const fn new(
        min_chars: usize,
        max_chars: usize,
        pattern: Option<&'static str>,
        format: Option<&'static str>,
        reserved: &'static [&'static str],
    ) -> Self {
        Self {
            min_chars,
            max_chars,
            pattern,
            format,
            reserved,
            compiled: OnceLock::new(),
        }
    }

    /// Whether the value has an allowed length and matches the pattern. A pattern
    /// that does not compile refuses everything (a unit test proves they all compile).
    pub fn allows(&self, value: &str) -> bool {
        let chars = value.chars().count();
        if chars < self.min_chars || chars > self.max_chars || self.reserved.contains(&value) {
            return false;
        }
        match self.pattern {
            None => true,
            Some(pattern) => self
                .compiled
                .get_or_init(|| Regex::new(pattern).ok())
                .as_ref()
                .is_some_and(|regex| regex.is_match(value)),
        }
    }
}

/// A rule on an integer: an inclusive range and the value used when it is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntRule {
    pub minimum: i64,
    pub maximum: i64,
    pub default: Option<i64>,
}

impl IntRule {
    pub const fn at_least(minimum: i64) -> Self {
        Self {
            minimum,
            maximum: i64::MAX,
            default: None,
        }
    }

    pub const fn up_to(self, maximum: i64) -> Self {
        Self { maximum, ..self }
    }

    pub const fn default(self, default: i64) -> Self {
        Self {
            default: Some(default),
            ..self
        }
    }

    pub fn allows(&self, value: i64) -> bool {
        (self.minimum..=self.maximum).contains(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, FullName, IdempotencyKey, Password, Username};

    #[test]
    fn every_pattern_compiles() {
        for rule in [
            Username::RULE,
            Password::RULE,
            FullName::RULE,
            Email::RULE,
            IdempotencyKey::RULE,
        ] {
            if let Some(pattern) = rule.pattern {
                assert!(Regex::new(pattern).is_ok(), "{pattern}");
                assert!(
                    pattern.starts_with('^') && pattern.ends_with('$'),
                    "{pattern}"
                );
            }
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let rule = TextRule::new(2, 3, None, None, &[]);
        assert!(rule.allows("éé"));
        assert!(rule.allows("ééé"));
        assert!(!rule.allows("é"));
        assert!(!rule.allows("éééé"));
    }

    #[test]
    fn int_rules_are_inclusive() {
        let rule = IntRule::at_least(1).up_to(100);
        assert!(rule.allows(1) && rule.allows(100));
        assert!(!rule.allows(0) && !rule.allows(101));
    }
}
