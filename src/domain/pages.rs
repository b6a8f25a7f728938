//! Pages of the newest-first lists (an account's statement, its transfer history):
//! by `page_id`/`page_size` (an offset, the course's clients) or by an opaque token
//! that carries the last id seen, so the next page is one index range scan and stays
//! consistent while rows are inserted (no row twice, none skipped).

use super::rules::TextRule;
use super::{AccountId, Page};
use crate::error::AppError;

/// The list a page token belongs to; a token of one list is refused by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Entries,
    Transfers,
}

impl Listing {
    fn tag(self) -> u8 {
        match self {
            Self::Entries => b'e',
            Self::Transfers => b't',
        }
    }
}

/// Where a newest-first list resumes: after `last_id`, in `listing` of `account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageToken {
    listing: Listing,
    account: i64,
    last_id: i64,
}

const TOKEN_VERSION: u8 = 1;
static PAGE_TOKEN_RULE: TextRule = TextRule::new(
    TOKEN_BYTES * 2,
    TOKEN_BYTES * 2,
    Some("^[0-9a-fA-F]+$"),
    None,
    &[],
);
/// version, listing, account, last id, CRC-32 of the rest.
const TOKEN_BYTES: usize = 1 + 1 + 8 + 8 + 4;

fn bad_token(description: &str) -> AppError {
    AppError::invalid_field("page_token", description)
}

impl PageToken {
    /// What a token looks like on the wire; the spec publishes the same rule.
    pub const RULE: &'static TextRule = &PAGE_TOKEN_RULE;

    /// The token's wire form: hex, opaque to clients. The checksum makes a mistyped or
    /// truncated token a 400 rather than some other page; the token grants nothing
    /// (the caller's access to the account is checked on every page).
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(TOKEN_BYTES);
        bytes.push(TOKEN_VERSION);
        bytes.push(self.listing.tag());
        bytes.extend_from_slice(&self.account.to_be_bytes());
        bytes.extend_from_slice(&self.last_id.to_be_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&bytes).to_be_bytes());
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    pub fn decode(raw: &str) -> Result<Self, AppError> {
        let invalid = || bad_token("is not a page token this server issued");
        if !Self::RULE.allows(raw) {
            return Err(invalid());
        }
        let mut bytes = [0u8; TOKEN_BYTES];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&raw[i * 2..i * 2 + 2], 16).map_err(|_| invalid())?;
        }
        let (body, checksum) = bytes.split_at(TOKEN_BYTES - 4);
        if crc32fast::hash(body).to_be_bytes() != checksum || body[0] != TOKEN_VERSION {
            return Err(invalid());
        }
        let listing = match body[1] {
            b'e' => Listing::Entries,
            b't' => Listing::Transfers,
            _ => return Err(invalid()),
        };
        let number = |at: usize| {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&body[at..at + 8]);
            i64::from_be_bytes(eight)
        };
        let (account, last_id) = (number(2), number(10));
        if account < 1 || last_id < 1 {
            return Err(invalid());
        }
        Ok(Self {
            listing,
            account,
            last_id,
        })
    }
}

/// How a client asked for a page of a newest-first list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    Offset(Page),
    After { token: PageToken, size: i64 },
}

impl PageRequest {
    /// `page_token` with an optional `page_size`, or `page_id`/`page_size`; a token
    /// and a `page_id` together are refused. An empty token is a bad token: the
    /// transport says what "no token" is (gRPC's proto3 default passes `None`).
    pub fn parse(
        page_id: Option<i64>,
        page_size: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<Self, AppError> {
        let Some(raw) = page_token else {
            return Page::parse(page_id, page_size).map(Self::Offset);
        };
        let mut violations = super::Violations::new();
        let page = violations.check(Page::parse(None, page_size));
        let token = violations.check(if page_id.is_some() {
            Err(bad_token("cannot be combined with page_id"))
        } else {
            PageToken::decode(raw)
        });
        violations.finish(|| {
            Some(Self::After {
                token: token?,
                size: page?.limit(),
            })
        })
    }

    /// The rows to read for this page of `listing` of `account`. A token issued for
    /// another list or another account is refused, naming `page_token`.
    pub fn window(self, listing: Listing, account: AccountId) -> Result<Window, AppError> {
        let (before_id, offset, size) = match self {
            Self::Offset(page) => (i64::MAX, page.offset(), page.limit()),
            Self::After { token, size } => {
                if token.listing != listing || token.account != account.get() {
                    return Err(bad_token("belongs to another list"));
                }
                (token.last_id, 0, size)
            }
        };
        Ok(Window {
            listing,
            account: account.get(),
            before_id,
            // limit + offset stays within i64 (the history query adds them).
            offset: offset.min(i64::MAX - (size + 1)),
            size,
        })
    }
}

/// The rows of one page: ids below `before_id`, newest first, skipping `offset`.
/// `limit` reads one row more than the page, to know whether another page follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    listing: Listing,
    account: i64,
    pub before_id: i64,
    pub offset: i64,
    size: i64,
}

impl Window {
    pub fn limit(&self) -> i64 {
        self.size + 1
    }

    /// The page from the rows read (at most `limit`), and the token of the next page
    /// when there is one.
    pub fn page<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> i64) -> Listed<T> {
        let more = rows.len() as i64 > self.size;
        rows.truncate(usize::try_from(self.size).unwrap_or(usize::MAX));
        let next_page_token = rows.last().filter(|_| more).map(|last| PageToken {
            listing: self.listing,
            account: self.account,
            last_id: id(last),
        });
        Listed {
            items: rows,
            next_page_token,
        }
    }
}

/// One page of a list and where the next one starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<PageToken>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64) -> AccountId {
        AccountId::parse(id).expect("id")
    }

    fn field(err: AppError) -> String {
        match err {
            AppError::InvalidArgument(violations) => violations[0].field.clone(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn a_token_round_trips_and_resumes_after_its_last_id() {
        let window = PageRequest::parse(None, Some(2), None)
            .and_then(|page| page.window(Listing::Entries, account(7)))
            .expect("window");
        let listed = window.page(vec![30, 20, 10], |id| *id);
        assert_eq!(listed.items, [30, 20]);
        let token = listed.next_page_token.expect("a next page").encode();

        let next = PageRequest::parse(None, Some(2), Some(&token))
            .and_then(|page| page.window(Listing::Entries, account(7)))
            .expect("next window");

        assert_eq!((next.before_id, next.offset, next.limit()), (20, 0, 3));
    }

    #[test]
    fn the_last_page_has_no_token() {
        let window = PageRequest::parse(None, Some(3), None)
            .and_then(|page| page.window(Listing::Transfers, account(1)))
            .expect("window");
        assert_eq!(window.page(vec![3, 2, 1], |id| *id).next_page_token, None);
    }

    #[test]
    fn a_token_of_another_list_or_account_is_refused() {
        let token = PageToken {
            listing: Listing::Entries,
            account: 7,
            last_id: 99,
        }
        .encode();
        let page = PageRequest::parse(None, None, Some(&token)).expect("a well-formed token");

        assert_eq!(
            field(page.window(Listing::Transfers, account(7)).unwrap_err()),
            "page_token"
        );
        assert_eq!(
            field(page.window(Listing::Entries, account(8)).unwrap_err()),
            "page_token"
        );
    }

    #[test]
    fn garbage_and_tampered_tokens_are_refused() {
        let token = PageToken {
            listing: Listing::Transfers,
            account: 3,
            last_id: 42,
        }
        .encode();
        let mut tampered = token.clone().into_bytes();
        tampered[20] = if tampered[20] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        for raw in ["nope", "é", &token[..10], &tampered] {
            assert_eq!(
                field(PageRequest::parse(None, None, Some(raw)).unwrap_err()),
                "page_token",
                "{raw}"
            );
        }
        assert_eq!(
            field(PageRequest::parse(Some(2), None, Some(&token)).unwrap_err()),
            "page_token"
        );
    }

    #[test]
    fn an_empty_token_is_a_bad_token_not_the_first_page() {
        assert_eq!(
            field(PageRequest::parse(None, Some(5), Some("")).unwrap_err()),
            "page_token"
        );
    }

    #[test]
    fn an_offset_far_past_the_end_cannot_overflow_the_query() {
        let window = PageRequest::parse(Some(i64::MAX), Some(100), None)
            .and_then(|page| page.window(Listing::Transfers, account(1)))
            .expect("window");
        assert!(window.offset.checked_add(window.limit()).is_some());
    }
}
