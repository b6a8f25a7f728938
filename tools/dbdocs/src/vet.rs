//! `query-vet`: every named query of `queries/` is planned on a grown database, and a plan that
//! would read a big table in full or sort a row set no LIMIT bounds fails, naming the query.
//!
//! On a scratch database (random name, dropped at the end) the embedded migrations build the
//! schema, [`SEED`] grows it by SQL and ANALYZE gives the planner real statistics. Each query is
//! `PREPARE`d with its cornucopia parameters numbered, and planned with
//! `plan_cache_mode = force_generic_plan` (`EXPLAIN EXECUTE` with NULLs: the generic plan is
//! the one a pooled, cached statement runs for any values; PostgreSQL 15 has no GENERIC_PLAN).
//!
//! The rules, on the tables of [`WATCHED`]:
//! - `seq-scan`: a Seq Scan of a watched table;
//! - `full-scan`: an Index (Only) Scan of a watched table with no Index Cond (it walks the
//!   whole index, e.g. an ORDER BY id LIMIT n whose filter might match nothing);
//! - `sort`: a Sort (or Incremental Sort) whose input is not bounded, i.e. not every path from
//!   the Sort down to a leaf passes through a Limit or ends in a VALUES list or a one-row Result. Sorting the merged heads of two LIMITed
//!   index scans is fine; sorting everything an account ever did before a LIMIT is not.
//!
//! An exception is a line right above the query's `--!` annotation:
//! `-- vet: allow <rule> because <reason>`; the reason is required.

use std::{collections::BTreeMap, str::FromStr};

use anyhow::{Context, bail};
use serde_json::Value;
use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage};

use crate::{queries::Query, sql};

/// The tables that grow with the bank: never read in full by a named query.
pub const WATCHED: &[&str] = &["accounts", "entries", "transfers", "sessions"];

/// A bank of modest size (a few seconds to build), enough that an index beats a scan; the
/// ledger sits on 1,000 busy accounts (300 entries each), as statements grow in a real bank.
pub const SEED: &str = "
SET session_replication_role = replica;
INSERT INTO users (username, hashed_password, full_name, email, role)
SELECT 'user_' || g, 'not-a-hash', 'Vet Customer', 'user_' || g || '@example.com',
       CASE WHEN g % 100 = 0 THEN 'banker' ELSE 'depositor' END
FROM generate_series(1, 20000) AS g;
INSERT INTO accounts (owner, balance, currency)
SELECT 'user_' || ((g - 1) / 2 + 1), 1000000, CASE WHEN g % 2 = 0 THEN 'USD' ELSE 'EUR' END
FROM generate_series(1, 40000) AS g;
INSERT INTO entries (account_id, amount, account_seq)
SELECT 1 + (g * 7919) % 1000, CASE WHEN g % 2 = 0 THEN 100 ELSE -100 END,
       row_number() OVER (PARTITION BY (g * 7919) % 1000 ORDER BY g)
FROM generate_series(1::bigint, 300000) AS g
ORDER BY g;
UPDATE accounts SET entry_count = 300 WHERE id <= 1000;
INSERT INTO transfers (from_account_id, to_account_id, amount)
SELECT 1 + (g * 7919) % 1000, 1 + (g * 7919 + 1) % 1000, 100
FROM generate_series(1::bigint, 150000) AS g;
INSERT INTO sessions (id, username, refresh_token, user_agent, client_ip, expires_at)
SELECT gen_random_uuid(), 'user_' || (1 + g % 20000), 'token-' || g, 'vet', '127.0.0.1',
       now() + interval '1 day'
FROM generate_series(1, 40000) AS g;
INSERT INTO idempotency_keys (caller, key, request_fingerprint, response_status, response_body)
SELECT 'user_' || (1 + g % 20000), 'key-' || g, 'fingerprint', 201, '{}'::jsonb
FROM generate_series(1, 40000) AS g;
RESET session_replication_role;
ANALYZE;
";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    SeqScan,
    FullScan,
    Sort,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeqScan => "seq-scan",
            Self::FullScan => "full-scan",
            Self::Sort => "sort",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Self::SeqScan, Self::FullScan, Self::Sort]
            .into_iter()
            .find(|rule| rule.as_str() == name)
    }
}

/// A `-- vet: allow <rule> because <reason>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    pub rule: Rule,
    pub reason: String,
}

/// Parses the text after `-- vet:`.
pub fn parse_allowance(text: &str) -> anyhow::Result<Allowance> {
    let usage = "write `-- vet: allow <seq-scan|full-scan|sort> because <reason>`";
    let Some(rest) = text.trim().strip_prefix("allow ") else {
        bail!("{usage}");
    };
    let (rule, reason) = rest.trim().split_once(" because ").context(usage)?;
    let rule =
        Rule::parse(rule.trim()).with_context(|| format!("unknown rule {rule:?}: {usage}"))?;
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("{usage}");
    }
    Ok(Allowance {
        rule,
        reason: reason.to_owned(),
    })
}

/// One thing a plan does that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The plan node, e.g. `Seq Scan on entries`.
    pub node: String,
}

/// A query's plan and what the rules say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub query: String,
    pub file: String,
    pub line: usize,
    /// The plan as one line: `Limit → Index Scan Backward using entries_account_id_id_idx on entries`.
    pub shape: String,
    /// Findings no allowance covers: each one fails the vet.
    pub failures: Vec<Finding>,
    /// Findings an allowance covers, with its reason.
    pub allowed: Vec<(Finding, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub verdicts: Vec<Verdict>,
    pub database: String,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = (&Verdict, &Finding)> {
        self.verdicts
            .iter()
            .flat_map(|verdict| verdict.failures.iter().map(move |f| (verdict, f)))
    }

    pub fn is_clean(&self) -> bool {
        self.failures().next().is_none()
    }

    /// Every query with its plan shape; failures and allowances marked.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for verdict in &self.verdicts {
            let mark = if verdict.failures.is_empty() {
                "ok  "
            } else {
                "FAIL"
            };
            out.push_str(&format!(
                "{mark} {} ({}:{})\n     {}\n",
                verdict.query, verdict.file, verdict.line, verdict.shape
            ));
            for finding in &verdict.failures {
                out.push_str(&format!(
                    "     ✗ {}: {} — make it an index range scan, or declare `-- vet: allow {} because …` above the query\n",
                    finding.rule.as_str(),
                    finding.node,
                    finding.rule.as_str()
                ));
            }
            for (finding, reason) in &verdict.allowed {
                out.push_str(&format!(
                    "     allowed {}: {} because {reason}\n",
                    finding.rule.as_str(),
                    finding.node
                ));
            }
        }
        out
    }
}

/// Plans every query of `queries` on a scratch database grown by [`SEED`] on the server at
/// `server_url` (the user needs CREATE DATABASE), dropped afterwards.
pub async fn vet(server_url: &str, queries: &[Query]) -> anyhow::Result<Report> {
    let admin_config = Config::from_str(server_url).with_context(|| {
        format!(
            "invalid server URL {}",
            simplebank::store::redacted_url(server_url)
        )
    })?;
    let admin = connect(&admin_config).await.with_context(|| {
        format!(
            "connecting to {}",
            simplebank::store::redacted_url(server_url)
        )
    })?;
    let database = format!("dbdocs_vet_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {}", sql::ident(&database)))
        .await
        .with_context(|| format!("creating the scratch database {database}"))?;
    let mut scratch_config = admin_config.clone();
    scratch_config.dbname(&database);
    let outcome = tokio::select! {
        outcome = plan_all(&scratch_config, queries) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    let dropped = admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            sql::ident(&database)
        ))
        .await
        .with_context(|| format!("dropping the scratch database {database}"));
    let verdicts =
        outcome.with_context(|| format!("on the scratch database {database} (dropped)"))?;
    dropped?;
    Ok(Report { verdicts, database })
}

async fn plan_all(config: &Config, queries: &[Query]) -> anyhow::Result<Vec<Verdict>> {
    let mut client = connect(config)
        .await
        .context("connecting to the scratch database")?;
    simplebank::store::migrate::up(&mut client, None)
        .await
        .context("applying the migrations to the scratch database")?;
    client
        .batch_execute(SEED)
        .await
        .context("growing the scratch database")?;
    client
        .batch_execute("SET plan_cache_mode = force_generic_plan")
        .await?;
    let mut verdicts = Vec::new();
    for query in queries {
        verdicts.push(
            vet_one(&client, query)
                .await
                .with_context(|| format!("query {} ({}:{})", query.name, query.file, query.line))?,
        );
    }
    Ok(verdicts)
}

async fn vet_one(client: &Client, query: &Query) -> anyhow::Result<Verdict> {
    let allowances = query
        .vet
        .iter()
        .map(|text| parse_allowance(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let plan = explain(client, query).await?;
    let (failures, allowed) = judge(&plan).into_iter().fold(
        (Vec::new(), Vec::new()),
        |(mut failures, mut allowed), finding| {
            match allowances.iter().find(|a| a.rule == finding.rule) {
                Some(allowance) => allowed.push((finding, allowance.reason.clone())),
                None => failures.push(finding),
            }
            (failures, allowed)
        },
    );
    Ok(Verdict {
        query: query.name.clone(),
        file: query.file.clone(),
        line: query.line,
        shape: shape(&plan),
        failures,
        allowed,
    })
}

/// The generic plan of `query` (the `Plan` object of EXPLAIN's JSON).
pub async fn explain(client: &Client, query: &Query) -> anyhow::Result<Value> {
    let (sql, params) = numbered(&query.sql);
    let statement = "vet_query";
    client
        .batch_execute(&format!("DEALLOCATE ALL; PREPARE {statement} AS {sql}"))
        .await
        .map_err(|err| anyhow::anyhow!("PREPARE failed: {}", db_message(&err)))?;
    let args = if params == 0 {
        String::new()
    } else {
        format!("({})", vec!["NULL"; params].join(", "))
    };
    let messages = client
        .simple_query(&format!("EXPLAIN (FORMAT JSON) EXECUTE {statement}{args}"))
        .await
        .map_err(|err| anyhow::anyhow!("EXPLAIN failed: {}", db_message(&err)))?;
    let text = messages
        .iter()
        .find_map(|message| match message {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .context("EXPLAIN returned no plan")?;
    let json: Value = serde_json::from_str(&text).context("EXPLAIN's JSON")?;
    json.get(0)
        .and_then(|top| top.get("Plan"))
        .cloned()
        .context("EXPLAIN's JSON has no Plan")
}

fn db_message(err: &tokio_postgres::Error) -> String {
    err.as_db_error()
        .map_or_else(|| err.to_string(), |db| db.message().to_owned())
}

/// `sql` with cornucopia's `:name` parameters as `$1, $2, ...` (a repeated name keeps its
/// number), and how many there are. Casts (`::bigint`), strings and comments are left alone.
pub fn numbered(sql: &str) -> (String, usize) {
    let chars: Vec<char> = sql.trim_end().trim_end_matches(';').chars().collect();
    let mut names: Vec<String> = Vec::new();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(chars[i]);
                i += 1;
            }
        } else if c == '\'' {
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                i += 1;
                if chars[i - 1] == '\'' {
                    break;
                }
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push_str("::");
            i += 2;
        } else if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|next| next.is_ascii_alphabetic() || *next == '_')
        {
            let start = i + 1;
            i = start;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            let number = match names.iter().position(|known| *known == name) {
                Some(index) => index + 1,
                None => {
                    names.push(name);
                    names.len()
                }
            };
            out.push_str(&format!("${number}"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    (out, names.len())
}

fn text<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

fn children(node: &Value) -> &[Value] {
    node.get("Plans")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A node as the plan shape shows it: `Index Scan Backward using entries_account_id_id_idx on entries`.
pub fn label(node: &Value) -> String {
    let kind = text(node, "Node Type").unwrap_or("?");
    let mut label = match (kind, text(node, "Operation")) {
        ("ModifyTable", Some(operation)) => operation.to_owned(),
        _ => kind.to_owned(),
    };
    if text(node, "Scan Direction") == Some("Backward") {
        label.push_str(" Backward");
    }
    if let Some(index) = text(node, "Index Name") {
        label.push_str(&format!(" using {index}"));
    }
    if let Some(relation) = text(node, "Relation Name") {
        label.push_str(&format!(" on {relation}"));
    }
    if let Some(cte) = text(node, "CTE Name") {
        label.push_str(&format!(" {cte}"));
    }
    label
}

/// The plan as one line: a node, then `→` its only child, or `[a; b]` its children.
pub fn shape(node: &Value) -> String {
    let kids = children(node);
    let mut out = label(node);
    match kids {
        [] => {}
        [only] => {
            out.push_str(" → ");
            out.push_str(&shape(only));
        }
        many => {
            let parts: Vec<String> = many.iter().map(shape).collect();
            out.push_str(&format!(" → [{}]", parts.join("; ")));
        }
    }
    out
}

/// What the rules refuse in a plan, in plan order.
pub fn judge(plan: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    walk(plan, &mut findings);
    findings
}

fn walk(node: &Value, findings: &mut Vec<Finding>) {
    let kind = text(node, "Node Type").unwrap_or_default();
    let watched = text(node, "Relation Name").is_some_and(|table| WATCHED.contains(&table));
    if watched && kind == "Seq Scan" {
        findings.push(Finding {
            rule: Rule::SeqScan,
            node: label(node),
        });
    }
    if watched
        && matches!(kind, "Index Scan" | "Index Only Scan")
        && node.get("Index Cond").is_none()
    {
        findings.push(Finding {
            rule: Rule::FullScan,
            node: label(node),
        });
    }
    if matches!(kind, "Sort" | "Incremental Sort") && !children(node).iter().all(bounded) {
        findings.push(Finding {
            rule: Rule::Sort,
            node: format!(
                "{} of {}",
                label(node),
                shape(node).split_once(" → ").map_or("", |(_, rest)| rest)
            ),
        });
    }
    for child in children(node) {
        walk(child, findings);
    }
}

/// Whether every path from `node` down to a leaf passes through a Limit or ends in a constant
/// row set (a VALUES list, a childless Result): then what is sorted has a size the query fixes.
fn bounded(node: &Value) -> bool {
    let kids = children(node);
    match text(node, "Node Type") {
        Some("Limit") => true,
        Some("Values Scan" | "Result") if kids.is_empty() => true,
        _ => !kids.is_empty() && kids.iter().all(bounded),
    }
}

/// Where `make query-vet` records each query's plan shape, next to `doc/db.dbml`.
pub const PLANS_FILE: &str = "query-plans.tsv";

/// `name<TAB>shape` lines, in query order, for the docs page.
pub fn render_plans(report: &Report) -> String {
    let mut out = String::from(
        "# The generic plan of each query of queries/ on query-vet's grown database (make query-vet).\n",
    );
    for verdict in &report.verdicts {
        out.push_str(&format!("{}\t{}\n", verdict.query, verdict.shape));
    }
    out
}

pub fn parse_plans(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, shape)| (name.to_owned(), shape.to_owned()))
        .collect()
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped; an error then is of no interest.
        let _ = connection.await;
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_once_per_name_and_casts_stay() {
        let (sql, count) = numbered(
            "SELECT a FROM t WHERE b = :b AND c < :c -- :not_a_param\n AND d = ':no' LIMIT :b::bigint + :c;",
        );
        assert_eq!(count, 2);
        assert_eq!(
            sql,
            "SELECT a FROM t WHERE b = $1 AND c < $2 -- :not_a_param\n AND d = ':no' LIMIT $1::bigint + $2"
        );
    }

    #[test]
    fn an_allowance_needs_a_known_rule_and_a_reason() {
        assert_eq!(
            parse_allowance(" allow sort because at most three rows").unwrap(),
            Allowance {
                rule: Rule::Sort,
                reason: "at most three rows".to_owned()
            }
        );
        assert!(parse_allowance("allow sort").is_err());
        assert!(parse_allowance("allow everything because yes").is_err());
        assert!(parse_allowance("allow sort because ").is_err());
    }

    fn node(kind: &str, extra: Value, plans: Vec<Value>) -> Value {
        let mut node = serde_json::json!({ "Node Type": kind, "Plans": plans });
        if let (Some(node), Some(extra)) = (node.as_object_mut(), extra.as_object()) {
            node.extend(extra.clone());
        }
        node
    }

    #[test]
    fn a_sort_of_two_limited_scans_is_bounded_and_a_sort_of_a_scan_is_not() {
        let scan = |index: &str| {
            node(
                "Index Scan",
                serde_json::json!({ "Relation Name": "transfers", "Index Name": index, "Index Cond": "x" }),
                vec![],
            )
        };
        let merged = node(
            "Limit",
            Value::Null,
            vec![node(
                "Sort",
                Value::Null,
                vec![node(
                    "Append",
                    Value::Null,
                    vec![
                        node("Limit", Value::Null, vec![scan("a")]),
                        node("Limit", Value::Null, vec![scan("b")]),
                    ],
                )],
            )],
        );
        let unbounded = node(
            "Limit",
            Value::Null,
            vec![node("Sort", Value::Null, vec![scan("a")])],
        );

        assert_eq!(judge(&merged), []);
        assert_eq!(
            judge(&unbounded).iter().map(|f| f.rule).collect::<Vec<_>>(),
            [Rule::Sort]
        );
    }

    #[test]
    fn a_seq_scan_of_a_watched_table_is_found_and_of_another_is_not() {
        let plan = node(
            "Nested Loop",
            Value::Null,
            vec![
                node(
                    "Seq Scan",
                    serde_json::json!({ "Relation Name": "entries" }),
                    vec![],
                ),
                node(
                    "Seq Scan",
                    serde_json::json!({ "Relation Name": "users" }),
                    vec![],
                ),
            ],
        );
        assert_eq!(
            judge(&plan),
            [Finding {
                rule: Rule::SeqScan,
                node: "Seq Scan on entries".to_owned()
            }]
        );
    }
}
