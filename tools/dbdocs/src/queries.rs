//! The named queries of `queries/*.sql` (cornucopia annotations) and the tables they touch.
//!
//! A query is `--! name ...`, then its `---` doc lines, then SQL up to the line ending in `;`.
//! `--:` lines declare row types and are not queries.

use std::{fs, path::Path};

use anyhow::{Context, bail};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    /// The file name inside the queries folder, e.g. `accounts.sql`.
    pub file: String,
    /// 1-based line of the `--!` annotation.
    pub line: usize,
    /// The annotation after the name: nullable parameters and the row type (`: Account`).
    pub signature: String,
    /// The `---` lines, joined with newlines.
    pub doc: String,
    pub sql: String,
    /// The `-- vet: ...` lines right above the annotation (text after `vet:`), for query-vet.
    pub vet: Vec<String>,
    /// The plan shape query-vet recorded (`doc/query-plans.tsv`), shown on the docs page.
    pub plan: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// How one query uses one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUse {
    pub table: String,
    pub access: Access,
    /// `SELECT ... FOR UPDATE` and its kin: a read that locks the rows it returns.
    pub locks: bool,
}

/// Every query of every `*.sql` file in `dir`, files in name order, queries in file order.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Query>> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    files.retain(|p| p.extension().is_some_and(|e| e == "sql"));
    files.sort();
    let mut queries = Vec::new();
    for path in files {
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        queries.extend(parse_file(&file, &text).with_context(|| path.display().to_string())?);
    }
    let mut names: Vec<&str> = queries.iter().map(|q| q.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!("query {} is declared twice", pair[0]);
    }
    Ok(queries)
}

/// The queries of one file.
pub fn parse_file(file: &str, text: &str) -> anyhow::Result<Vec<Query>> {
    let mut queries = Vec::new();
    let mut current: Option<Query> = None;
    let mut vet: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if current.is_none()
            && let Some(rest) = trimmed.strip_prefix("--")
            && let Some(rule) = rest.trim_start().strip_prefix("vet:")
        {
            vet.push(rule.trim().to_owned());
            continue;
        }
        if let Some(annotation) = trimmed.strip_prefix("--!") {
            if let Some(open) = current.take() {
                bail!(
                    "line {}: query {} has no SQL ending with `;`",
                    open.line,
                    open.name
                );
            }
            let annotation = annotation.trim();
            let end = annotation
                .find(|c: char| c.is_whitespace() || c == '(' || c == ':')
                .unwrap_or(annotation.len());
            let name = &annotation[..end];
            if name.is_empty() {
                bail!("line {}: `--!` without a query name", index + 1);
            }
            current = Some(Query {
                name: name.to_owned(),
                file: file.to_owned(),
                line: index + 1,
                signature: annotation[end..].trim().to_owned(),
                doc: String::new(),
                sql: String::new(),
                vet: std::mem::take(&mut vet),
                plan: None,
            });
            continue;
        }
        let Some(query) = current.as_mut() else {
            if !trimmed.is_empty() {
                // A `-- vet:` line belongs to the query right below it.
                vet.clear();
            }
            continue;
        };
        if query.sql.is_empty() {
            if let Some(doc) = trimmed.strip_prefix("---") {
                if !query.doc.is_empty() {
                    query.doc.push('\n');
                }
                query.doc.push_str(doc.trim());
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
        }
        if !query.sql.is_empty() {
            query.sql.push('\n');
        }
        query.sql.push_str(line.trim_end());
        if ends_statement(line) {
            queries.extend(current.take());
        }
    }
    if let Some(open) = current {
        bail!(
            "line {}: query {} has no SQL ending with `;`",
            open.line,
            open.name
        );
    }
    Ok(queries)
}

/// Whether a line of SQL ends the statement (a `;` outside a trailing `--` comment).
fn ends_statement(line: &str) -> bool {
    let code = tokens(line);
    code.last().is_some_and(|t| t == ";")
}

/// The tables of `known` that `sql` reads or writes, in order of first mention.
///
/// A table counts when it follows FROM, JOIN, INTO, UPDATE or USING. It is written when it is
/// the target of INSERT INTO, UPDATE or DELETE FROM, read otherwise; a read locks when the
/// statement has a locking clause (`FOR [NO KEY] UPDATE`, `FOR [KEY] SHARE`).
pub fn tables_used(sql: &str, known: &[&str]) -> Vec<TableUse> {
    let tokens = tokens(sql);
    let upper: Vec<String> = tokens.iter().map(|t| t.to_ascii_uppercase()).collect();
    let locks = upper
        .windows(2)
        .any(|w| w[0] == "FOR" && matches!(w[1].as_str(), "UPDATE" | "SHARE" | "NO" | "KEY"));
    let mut uses: Vec<TableUse> = Vec::new();
    for (i, keyword) in upper.iter().enumerate() {
        if !matches!(
            keyword.as_str(),
            "FROM" | "JOIN" | "INTO" | "UPDATE" | "USING"
        ) {
            continue;
        }
        let Some(candidate) = tokens.get(i + 1) else {
            continue;
        };
        let name = candidate.rsplit('.').next().unwrap_or(candidate);
        let Some(table) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) else {
            continue;
        };
        let previous = i.checked_sub(1).map(|p| upper[p].as_str());
        let access = match keyword.as_str() {
            "INTO" | "UPDATE" => Access::Write,
            "FROM" if previous == Some("DELETE") => Access::Write,
            _ => Access::Read,
        };
        match uses.iter_mut().find(|u| u.table == *table) {
            Some(existing) => existing.access = existing.access.max(access),
            None => uses.push(TableUse {
                table: (*table).to_owned(),
                access,
                locks: false,
            }),
        }
    }
    for table_use in &mut uses {
        table_use.locks = locks && table_use.access == Access::Read;
    }
    uses
}

/// Words and punctuation of SQL, without comments and string literals; `"quoted"` identifiers
/// lose their quotes.
fn tokens(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            out.push("''".to_owned());
        } else if c == '"' {
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            out.push(chars[start..i.min(chars.len())].iter().collect());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '.'))
            {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}
