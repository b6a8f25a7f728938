//! The course's lock monitor: who waits for a lock, and on whom.

use std::fmt::Write as _;

use codegen::queries::monitoring::blocked_queries;

use super::{BlockedQuery, Store};
use crate::error::AppError;

impl Store {
    /// Every backend of the bank's database waiting for a lock, paired with each
    /// backend holding it, longest wait first.
    pub async fn blocked_queries(&self) -> Result<Vec<BlockedQuery>, AppError> {
        let conn = self.single().await?;
        let pairs = blocked_queries().bind(&conn).all().await;
        Ok(conn.finish(pairs).await?)
    }
}

/// One line per blocked/blocking pair, or "no blocked queries".
pub fn format_blocked_queries(pairs: &[BlockedQuery]) -> String {
    if pairs.is_empty() {
        return "no blocked queries\n".to_owned();
    }
    let mut out = String::new();
    for pair in pairs {
        let _ = writeln!(
            out,
            "pid {} ({}) waiting {:.1}s for pid {} ({}): waiting statement: {} | blocking statement: {}",
            pair.blocked_pid,
            pair.blocked_user.as_deref().unwrap_or("?"),
            pair.waiting_seconds.unwrap_or_default(),
            pair.blocking_pid,
            pair.blocking_user.as_deref().unwrap_or("?"),
            one_line(pair.blocked_statement.as_deref()),
            one_line(pair.blocking_statement.as_deref()),
        );
    }
    out
}

/// A statement on one line, whitespace collapsed.
fn one_line(statement: Option<&str>) -> String {
    match statement {
        Some(text) => text.split_whitespace().collect::<Vec<_>>().join(" "),
        None => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pair_is_one_line() {
        let pairs = [BlockedQuery {
            blocked_pid: 42,
            blocked_user: Some("root".to_owned()),
            blocking_pid: 41,
            blocking_user: Some("root".to_owned()),
            blocked_statement: Some("UPDATE accounts\n  SET balance = 1\n WHERE id = 1".to_owned()),
            blocking_statement: Some("SELECT * FROM accounts FOR UPDATE".to_owned()),
            waiting_seconds: Some(3.26),
        }];
        assert_eq!(
            format_blocked_queries(&pairs),
            "pid 42 (root) waiting 3.3s for pid 41 (root): waiting statement: UPDATE accounts SET balance = 1 WHERE id = 1 | blocking statement: SELECT * FROM accounts FOR UPDATE\n"
        );
        assert_eq!(format_blocked_queries(&[]), "no blocked queries\n");
    }
}
