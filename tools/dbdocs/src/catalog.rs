//! What PostgreSQL's catalog says about one schema, and the differences between two of them.
//!
//! The drift check builds both sides on the same server (the migrations in `public`, the DBML's
//! SQL dump in a scratch schema) and reads them with the same queries, so PostgreSQL does the
//! normalising: `varchar` reads back as `character varying`, `bigserial` as `bigint` with a
//! `nextval(...)` default and NOT NULL, `'0001-01-01 00:00:00Z'` as a typed constant, and check
//! expressions as the server deparses them.

use std::collections::BTreeMap;

use tokio_postgres::Client;

/// Tables of one schema, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub tables: BTreeMap<String, TableInfo>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableInfo {
    pub columns: BTreeMap<String, ColumnInfo>,
    /// Plain indexes and the indexes behind PRIMARY KEY and UNIQUE constraints.
    pub indexes: Vec<IndexInfo>,
    /// Foreign keys by constraint name: the server's definition.
    pub foreign_keys: BTreeMap<String, String>,
    /// Check constraints by name: the server's definition.
    pub checks: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// `format_type`: `bigint`, `character varying(20)`, `timestamp with time zone`, ...
    pub ty: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// `a` (always) or `d` (by default) for identity columns, empty otherwise.
    pub identity: String,
    /// `s` for a stored generated column, empty otherwise.
    pub generated: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub name: String,
    /// Columns or expressions, as the server prints them.
    pub keys: Vec<String>,
    pub unique: bool,
    pub primary: bool,
    pub method: String,
    pub predicate: Option<String>,
    /// `p` or `u` when a constraint owns the index.
    pub constraint: Option<String>,
}

impl IndexInfo {
    /// Everything but the name: what makes two indexes the same index.
    fn shape(&self) -> (&[String], bool, bool, &str, Option<&str>) {
        (
            &self.keys,
            self.unique,
            self.primary,
            &self.method,
            self.predicate.as_deref(),
        )
    }

    fn describe(&self, table: &str) -> String {
        let kind = if self.primary {
            "primary key"
        } else if self.unique {
            "unique index"
        } else {
            "index"
        };
        let mut text = format!("{kind} {} on {table} ({})", self.name, self.keys.join(", "));
        if self.method != "btree" {
            text.push_str(&format!(" using {}", self.method));
        }
        if let Some(predicate) = &self.predicate {
            text.push_str(&format!(" where {predicate}"));
        }
        text
    }
}

impl Catalog {
    /// Reads the tables of `schema`. Sets the session's `search_path` to it, so names print
    /// unqualified on both sides.
    pub async fn read(client: &Client, schema: &str) -> Result<Self, tokio_postgres::Error> {
        client
            .batch_execute(&format!("SET search_path TO {}", crate::sql::ident(schema)))
            .await?;
        let mut catalog = Catalog::default();
        for row in client
            .query(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
                &[&schema],
            )
            .await?
        {
            catalog.tables.insert(row.get(0), TableInfo::default());
        }
        for row in client
            .query(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                        pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text \
                 FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 \
                   AND NOT a.attisdropped",
                &[&schema],
            )
            .await?
        {
            let table: String = row.get(0);
            if let Some(info) = catalog.tables.get_mut(&table) {
                info.columns.insert(
                    row.get(1),
                    ColumnInfo {
                        ty: row.get(2),
                        not_null: row.get(3),
                        default: row.get(4),
                        identity: row.get(5),
                        generated: row.get(6),
                    },
                );
            }
        }
        for row in client
            .query(
                "SELECT t.relname, i.relname, x.indisunique, x.indisprimary, am.amname, \
                        ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) \
                              FROM generate_series(1, x.indnkeyatts::int) AS k ORDER BY k), \
                        pg_get_expr(x.indpred, x.indrelid), \
                        (SELECT con.contype::text FROM pg_constraint con \
                         WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid \
                           AND con.contype IN ('p', 'u', 'x')) \
                 FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN pg_am am ON am.oid = i.relam \
                 WHERE n.nspname = $1 \
                 ORDER BY t.relname, i.relname",
                &[&schema],
            )
            .await?
        {
            let table: String = row.get(0);
            if let Some(info) = catalog.tables.get_mut(&table) {
                info.indexes.push(IndexInfo {
                    name: row.get(1),
                    unique: row.get(2),
                    primary: row.get(3),
                    method: row.get(4),
                    keys: row.get(5),
                    predicate: row.get(6),
                    constraint: row.get(7),
                });
            }
        }
        for row in client
            .query(
                "SELECT t.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid, true) \
                 FROM pg_constraint con \
                 JOIN pg_class t ON t.oid = con.conrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = $1 AND con.contype IN ('c', 'f')",
                &[&schema],
            )
            .await?
        {
            let table: String = row.get(0);
            let name: String = row.get(1);
            let kind: String = row.get(2);
            if let Some(info) = catalog.tables.get_mut(&table) {
                let map = if kind == "f" {
                    &mut info.foreign_keys
                } else {
                    &mut info.checks
                };
                map.insert(name, row.get(3));
            }
        }
        Ok(catalog)
    }

    pub fn column_count(&self) -> usize {
        self.tables.values().map(|t| t.columns.len()).sum()
    }

    pub fn index_count(&self) -> usize {
        self.tables.values().map(|t| t.indexes.len()).sum()
    }

    pub fn foreign_key_count(&self) -> usize {
        self.tables.values().map(|t| t.foreign_keys.len()).sum()
    }

    pub fn check_count(&self) -> usize {
        self.tables.values().map(|t| t.checks.len()).sum()
    }
}

/// Every difference between `left` and `right`, one readable line each, in a stable order.
/// `left_name` and `right_name` say where each side comes from (`migrations`, `doc/db.dbml`).
pub fn diff(left: &Catalog, right: &Catalog, left_name: &str, right_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let only = |name: &str| format!("only in {name}");
    for (table, l) in &left.tables {
        let Some(r) = right.tables.get(table) else {
            out.push(format!("table {table}: {}", only(left_name)));
            continue;
        };
        for (column, lc) in &l.columns {
            let Some(rc) = r.columns.get(column) else {
                out.push(format!(
                    "column {table}.{column} {}: {}",
                    lc.ty,
                    only(left_name)
                ));
                continue;
            };
            let mut field = |what: &str, a: String, b: String| {
                if a != b {
                    out.push(format!(
                        "column {table}.{column}: {what} {a} ({left_name}) vs {b} ({right_name})"
                    ));
                }
            };
            field("type", lc.ty.clone(), rc.ty.clone());
            field("nullability", nullability(lc), nullability(rc));
            field("default", default_text(lc), default_text(rc));
            field("identity", identity_text(lc), identity_text(rc));
            field("generated", generated_text(lc), generated_text(rc));
        }
        for (column, rc) in &r.columns {
            if !l.columns.contains_key(column) {
                out.push(format!(
                    "column {table}.{column} {}: {}",
                    rc.ty,
                    only(right_name)
                ));
            }
        }
        diff_indexes(
            &mut out, table, &l.indexes, &r.indexes, left_name, right_name,
        );
        diff_constraints(
            &mut out,
            "foreign key",
            table,
            &l.foreign_keys,
            &r.foreign_keys,
            left_name,
            right_name,
        );
        diff_constraints(
            &mut out, "check", table, &l.checks, &r.checks, left_name, right_name,
        );
    }
    for table in right.tables.keys() {
        if !left.tables.contains_key(table) {
            out.push(format!("table {table}: {}", only(right_name)));
        }
    }
    out
}

/// Indexes match by shape (columns, uniqueness, method, predicate): unnamed indexes get names
/// the server makes up. A matched pair with different names is reported as a rename.
fn diff_indexes(
    out: &mut Vec<String>,
    table: &str,
    left: &[IndexInfo],
    right: &[IndexInfo],
    left_name: &str,
    right_name: &str,
) {
    let mut right_left: Vec<&IndexInfo> = right.iter().collect();
    let mut unmatched_left = Vec::new();
    for l in left {
        if let Some(pos) = right_left
            .iter()
            .position(|r| r.shape() == l.shape() && r.name == l.name)
        {
            right_left.remove(pos);
        } else {
            unmatched_left.push(l);
        }
    }
    for l in unmatched_left {
        match right_left.iter().position(|r| r.shape() == l.shape()) {
            Some(pos) => {
                let r = right_left.remove(pos);
                out.push(format!(
                    "{}: named {} ({left_name}) vs {} ({right_name})",
                    l.describe(table),
                    l.name,
                    r.name
                ));
            }
            None => out.push(format!("{}: only in {left_name}", l.describe(table))),
        }
    }
    for r in right_left {
        out.push(format!("{}: only in {right_name}", r.describe(table)));
    }
}

fn diff_constraints(
    out: &mut Vec<String>,
    kind: &str,
    table: &str,
    left: &BTreeMap<String, String>,
    right: &BTreeMap<String, String>,
    left_name: &str,
    right_name: &str,
) {
    for (name, l) in left {
        match right.get(name) {
            None => out.push(format!(
                "{kind} {name} on {table}: only in {left_name}: {l}"
            )),
            Some(r) if r != l => out.push(format!(
                "{kind} {name} on {table}: {l} ({left_name}) vs {r} ({right_name})"
            )),
            Some(_) => {}
        }
    }
    for (name, r) in right {
        if !left.contains_key(name) {
            out.push(format!(
                "{kind} {name} on {table}: only in {right_name}: {r}"
            ));
        }
    }
}

fn nullability(column: &ColumnInfo) -> String {
    if column.not_null {
        "NOT NULL"
    } else {
        "nullable"
    }
    .to_owned()
}

fn default_text(column: &ColumnInfo) -> String {
    column
        .default
        .clone()
        .unwrap_or_else(|| "(none)".to_owned())
}

fn identity_text(column: &ColumnInfo) -> String {
    match column.identity.as_str() {
        "a" => "GENERATED ALWAYS AS IDENTITY",
        "d" => "GENERATED BY DEFAULT AS IDENTITY",
        _ => "(none)",
    }
    .to_owned()
}

fn generated_text(column: &ColumnInfo) -> String {
    match column.generated.as_str() {
        "s" => "STORED",
        _ => "(none)",
    }
    .to_owned()
}
