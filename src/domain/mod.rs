//! Validated values. Raw strings and numbers stop at the edge: each type here can
//! only be built through `parse`, so holding one means the value is valid.

mod money;
mod names;
mod pages;
mod people;
#[cfg(test)]
mod properties;
mod rules;

pub use money::{AccountId, Amount, Currency};
pub use names::{IdempotencyKey, Role, Username};
pub use pages::{Listed, Listing, PageRequest, PageToken, Window};
pub use people::{Email, FullName, Password};
pub use rules::{IntRule, TextRule};

/// Every id of the API (accounts, transfers): an integer from 1.
pub const ID_RULE: IntRule = IntRule::at_least(1);

use crate::error::{AppError, FieldViolation};

/// Collects every invalid field of a request, so clients see them all at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value, or records why it is invalid.
    pub fn check<T>(&mut self, parsed: Result<T, AppError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(AppError::InvalidArgument(violations)) => {
                self.0.extend(violations);
                None
            }
            Err(other) => {
                self.0
                    .push(FieldViolation::new("request", other.to_string()));
                None
            }
        }
    }

    /// Records a required field that is absent.
    pub fn missing(&mut self, field: &str) {
        self.0.push(FieldViolation::new(field, "is required"));
    }

    /// Parses a field that is required: absent counts as invalid.
    pub fn required<R, T>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, AppError>,
    ) -> Option<T> {
        match raw {
            Some(raw) => self.check(parse(raw)),
            None => {
                self.missing(field);
                None
            }
        }
    }

    /// `Ok(value)` when nothing was invalid, otherwise every violation.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, AppError> {
        if self.0.is_empty()
            && let Some(value) = value()
        {
            return Ok(value);
        }
        Err(AppError::InvalidArgument(self.0))
    }
}

/// Merges two validation outcomes so that every invalid field is reported.
pub fn both<A, B>(a: Result<A, AppError>, b: Result<B, AppError>) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AppError::InvalidArgument(mut first)), Err(AppError::InvalidArgument(second))) => {
            first.extend(second);
            Err(AppError::InvalidArgument(first))
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    }
}

/// One page of a listing: `page_id` from 1, `page_size` from 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    page_id: i64,
    page_size: i64,
}

impl Page {
    pub const ID_RULE: IntRule = IntRule::at_least(1).default(1);
    pub const SIZE_RULE: IntRule = IntRule::at_least(1).up_to(100).default(10);

    pub fn parse(page_id: Option<i64>, page_size: Option<i64>) -> Result<Self, AppError> {
        let (id_rule, size_rule) = (Self::ID_RULE, Self::SIZE_RULE);
        let page_id = page_id.or(id_rule.default).unwrap_or(id_rule.minimum);
        let page_size = page_size.or(size_rule.default).unwrap_or(size_rule.maximum);
        let mut violations = Vec::new();
        if !id_rule.allows(page_id) {
            violations.push(FieldViolation::new(
                "page_id",
                format!("must be at least {}", id_rule.minimum),
            ));
        }
        if !size_rule.allows(page_size) {
            violations.push(FieldViolation::new(
                "page_size",
                format!(
                    "must be between {} and {}",
                    size_rule.minimum, size_rule.maximum
                ),
            ));
        }
        if violations.is_empty() {
            Ok(Self { page_id, page_size })
        } else {
            Err(AppError::InvalidArgument(violations))
        }
    }

    pub fn limit(self) -> i64 {
        self.page_size
    }

    pub fn offset(self) -> i64 {
        // A page far past the end is simply empty, never an overflow.
        (self.page_id - 1).saturating_mul(self.page_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_defaults_to_the_first_ten() {
        let page = Page::parse(None, None).unwrap();
        assert_eq!((page.limit(), page.offset()), (10, 0));
    }

    #[test]
    fn page_offset_counts_whole_pages() {
        let page = Page::parse(Some(3), Some(25)).unwrap();
        assert_eq!((page.limit(), page.offset()), (25, 50));
    }

    #[test]
    fn a_page_far_past_the_end_saturates() {
        let page = Page::parse(Some(i64::MAX), Some(100)).unwrap();
        assert_eq!(page.offset(), i64::MAX);
    }

    #[test]
    fn page_reports_every_bad_field() {
        let Err(AppError::InvalidArgument(violations)) = Page::parse(Some(0), Some(101)) else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["page_id", "page_size"]);
    }
}
