//! The schema as `doc/db.dbml` describes it.
//!
//! dbml-rs parses the text (`parse_dbml_unchecked`: its checked parser rejects a `bigint` FK to a
//! `bigserial` PK and refs through table aliases), then [`Schema::parse`] resolves aliases, turns
//! inline and top-level refs into foreign keys, reads CHECK constraints from table notes, and
//! validates everything the generators rely on. Column types stay as written: PostgreSQL itself
//! normalises them during the drift check.

use std::collections::BTreeSet;

use anyhow::{Context, bail, ensure};
use dbml_rs::ast::{
    self, ColumnSettings, IndexesColumnType, Nullable, RefIdent, Relation, TableBlock,
    TopLevelBlock, Value,
};

/// A parsed and validated DBML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub project: Option<Project>,
    pub enums: Vec<Enum>,
    /// In declaration order.
    pub tables: Vec<Table>,
    /// Every relationship as a foreign key, inline refs included, in declaration order.
    pub refs: Vec<ForeignKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub name: String,
    pub database_type: Option<String>,
    /// Markdown, common indentation removed.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub name: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub alias: Option<String>,
    /// Markdown without the `check ...` lines, which are in `checks`.
    pub note: Option<String>,
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// The type as written (`varchar`, `bigserial`, `varchar(255)`, `int[]`, an enum name).
    pub ty: String,
    pub pk: bool,
    pub unique: bool,
    /// `not null` written explicitly.
    pub not_null: bool,
    pub increment: bool,
    pub default: Option<DefaultValue>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// A backquoted SQL expression such as `now()`.
    Expr(String),
    /// A quoted literal such as `'depositor'`.
    String(String),
    Number(String),
    Bool(bool),
    Null,
}

impl std::fmt::Display for DefaultValue {
    /// The SQL text of the default, as it goes after `DEFAULT`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Expr(expr) => write!(f, "({expr})"),
            Self::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
            Self::Number(number) => f.write_str(number),
            Self::Bool(value) => write!(f, "{value}"),
            Self::Null => f.write_str("NULL"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub parts: Vec<IndexPart>,
    pub name: Option<String>,
    pub unique: bool,
    pub pk: bool,
    /// `btree`, `hash`, `gin`, `gist`; `None` is the database's default (btree).
    pub method: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IndexPart {
    Column(String),
    Expr(String),
}

impl std::fmt::Display for IndexPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Column(name) => f.write_str(name),
            Self::Expr(expr) => write!(f, "{expr}"),
        }
    }
}

/// A CHECK constraint, declared in its table's note as ``check <name>: `<expression>` ``.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub expr: String,
}

/// One relationship, oriented as a foreign key: `from` holds the key, `to` is referenced.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub from: Endpoint,
    pub to: Endpoint,
    pub one_to_one: bool,
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Endpoint {
    /// The table's name (aliases are resolved).
    pub table: String,
    pub columns: Vec<String>,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.columns.as_slice() {
            [column] => write!(f, "{}.{column}", self.table),
            columns => write!(f, "{}.({})", self.table, columns.join(", ")),
        }
    }
}

impl std::fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let arrow = if self.one_to_one { "-" } else { ">" };
        write!(f, "{} {arrow} {}", self.from, self.to)
    }
}

impl Schema {
    /// Parses and validates DBML text.
    pub fn parse(source: &str) -> anyhow::Result<Self> {
        let ast = dbml_rs::parse_dbml_unchecked(source)
            .map_err(|err| anyhow::anyhow!("DBML syntax error:\n{err}"))?;
        let at = |span: &std::ops::Range<usize>| position(source, span.start);

        let mut project = None;
        let mut enums = Vec::new();
        let mut tables = Vec::new();
        let mut refs = Vec::new();
        for block in &ast.blocks {
            match block {
                TopLevelBlock::Project(block) => {
                    ensure!(
                        project.is_none(),
                        "{}: a second Project block",
                        at(&block.span_range)
                    );
                    project = Some(Project {
                        name: block.ident.to_string.clone(),
                        database_type: block
                            .properties
                            .iter()
                            .find(|p| p.key.to_string == "database_type")
                            .map(|p| literal_text(&p.value.value)),
                        note: block
                            .note
                            .as_ref()
                            .map(|n| note_text(&literal_text(&n.value.value))),
                    });
                }
                TopLevelBlock::Enum(block) => {
                    ensure!(
                        schema_is_public(block.ident.schema.as_ref()),
                        "{}: only the public schema is supported",
                        at(&block.span_range)
                    );
                    enums.push(Enum {
                        name: block.ident.name.to_string.clone(),
                        values: block
                            .values
                            .iter()
                            .map(|v| EnumValue {
                                name: v.value.to_string.clone(),
                                note: v.settings.as_ref().and_then(|s| s.note.clone()),
                            })
                            .collect(),
                    });
                }
                TopLevelBlock::Table(block) => {
                    let (table, inline_refs) = table(block)
                        .and_then(|parsed| validate_table(&parsed.0).map(|()| parsed))
                        .with_context(|| at(&block.span_range))?;
                    tables.push(table);
                    refs.extend(inline_refs);
                }
                TopLevelBlock::Ref(block) => {
                    let (from, to, one_to_one) = orient(&block.rel, &block.lhs, &block.rhs)
                        .with_context(|| at(&block.span_range))?;
                    let settings = block.settings.as_ref();
                    refs.push(ForeignKey {
                        name: block.name.as_ref().map(|n| n.to_string.clone()),
                        from,
                        to,
                        one_to_one,
                        on_delete: settings.and_then(|s| s.on_delete.as_ref().map(action)),
                        on_update: settings.and_then(|s| s.on_update.as_ref().map(action)),
                    });
                }
                // Sticky notes and table groups have no schema meaning.
                TopLevelBlock::Note(_) | TopLevelBlock::TableGroup(_) => {}
            }
        }
        let mut schema = Self {
            project,
            enums,
            tables,
            refs,
        };
        schema.resolve_aliases()?;
        schema.validate()?;
        Ok(schema)
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Foreign keys held by `table` (it references others).
    pub fn references_from<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a ForeignKey> {
        self.refs.iter().filter(move |r| r.from.table == table)
    }

    /// Foreign keys of other tables that point at `table`.
    pub fn referenced_by<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a ForeignKey> {
        self.refs.iter().filter(move |r| r.to.table == table)
    }

    fn resolve_aliases(&mut self) -> anyhow::Result<()> {
        let aliases: Vec<(String, String)> = self
            .tables
            .iter()
            .filter_map(|t| t.alias.clone().map(|a| (a, t.name.clone())))
            .collect();
        for fk in &mut self.refs {
            for endpoint in [&mut fk.from, &mut fk.to] {
                if let Some((_, name)) = aliases.iter().find(|(alias, _)| *alias == endpoint.table)
                {
                    endpoint.table = name.clone();
                }
            }
        }
        Ok(())
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut names = BTreeSet::new();
        for table in &self.tables {
            ensure!(
                names.insert(table.name.as_str()),
                "table {} is declared twice",
                table.name
            );
        }
        for table in &self.tables {
            if let Some(alias) = &table.alias {
                ensure!(
                    names.insert(alias.as_str()),
                    "alias {alias} of table {} is already a table name or alias",
                    table.name
                );
            }
        }
        let mut enum_names = BTreeSet::new();
        for e in &self.enums {
            ensure!(
                enum_names.insert(e.name.as_str()),
                "enum {} is declared twice",
                e.name
            );
            ensure!(!e.values.is_empty(), "enum {} has no values", e.name);
            let mut values = BTreeSet::new();
            for v in &e.values {
                ensure!(
                    values.insert(v.name.as_str()),
                    "enum {}: value {} is listed twice",
                    e.name,
                    v.name
                );
            }
        }
        let mut ref_names = BTreeSet::new();
        for fk in &self.refs {
            if let Some(name) = &fk.name {
                ensure!(
                    ref_names.insert(name.as_str()),
                    "ref {name} is declared twice"
                );
            }
            for endpoint in [&fk.from, &fk.to] {
                let table = self.table(&endpoint.table).with_context(|| {
                    format!("ref {fk}: table {} is not declared", endpoint.table)
                })?;
                for column in &endpoint.columns {
                    ensure!(
                        table.column(column).is_some(),
                        "ref {fk}: table {} has no column {column}",
                        table.name
                    );
                }
            }
            ensure!(
                fk.from.columns.len() == fk.to.columns.len(),
                "ref {fk}: both sides need the same number of columns"
            );
        }
        Ok(())
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The primary key's columns: `[pk]` columns, or a `[pk]` index.
    pub fn primary_key(&self) -> Vec<String> {
        let columns: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.pk)
            .map(|c| c.name.clone())
            .collect();
        if !columns.is_empty() {
            return columns;
        }
        self.indexes
            .iter()
            .find(|i| i.pk)
            .map(|i| i.parts.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    }
}

impl Column {
    /// Whether the column can hold NULL: not when it says `not null`, is part of the primary
    /// key, or is a serial (PostgreSQL makes serials NOT NULL).
    pub fn nullable(&self, table: &Table) -> bool {
        !(self.not_null || self.is_serial() || table.primary_key().contains(&self.name))
    }

    pub fn is_serial(&self) -> bool {
        matches!(
            self.ty.to_ascii_lowercase().as_str(),
            "smallserial" | "serial2" | "serial" | "serial4" | "bigserial" | "serial8"
        )
    }

    fn is_integer(&self) -> bool {
        self.is_serial()
            || matches!(
                self.ty.to_ascii_lowercase().as_str(),
                "smallint" | "int2" | "integer" | "int" | "int4" | "bigint" | "int8"
            )
    }
}

fn validate_table(table: &Table) -> anyhow::Result<()> {
    let name = &table.name;
    ensure!(!table.columns.is_empty(), "table {name} has no columns");
    let mut columns = BTreeSet::new();
    for column in &table.columns {
        ensure!(
            columns.insert(column.name.as_str()),
            "table {name}: column {} is declared twice",
            column.name
        );
        ensure!(
            !column.increment || column.is_integer(),
            "column {name}.{}: increment needs an integer type, not {}",
            column.name,
            column.ty
        );
    }
    let pk_indexes = table.indexes.iter().filter(|i| i.pk).count();
    ensure!(pk_indexes <= 1, "table {name}: more than one [pk] index");
    ensure!(
        pk_indexes == 0 || table.columns.iter().all(|c| !c.pk),
        "table {name}: a [pk] index and [pk] columns; declare the primary key once"
    );
    for index in &table.indexes {
        ensure!(
            !index.parts.is_empty(),
            "table {name}: an index without columns"
        );
        for part in &index.parts {
            if let IndexPart::Column(column) = part {
                ensure!(
                    table.column(column).is_some(),
                    "table {name}: index on unknown column {column}"
                );
            }
        }
        ensure!(
            !index.pk
                || index
                    .parts
                    .iter()
                    .all(|p| matches!(p, IndexPart::Column(_))),
            "table {name}: a primary key cannot hold an expression"
        );
    }
    let mut checks = BTreeSet::new();
    for check in &table.checks {
        ensure!(
            checks.insert(check.name.as_str()),
            "table {name}: check {} is declared twice",
            check.name
        );
    }
    Ok(())
}

type Parsed = (Table, Vec<ForeignKey>);

fn table(block: &TableBlock) -> anyhow::Result<Parsed> {
    let name = block.ident.name.to_string.clone();
    ensure!(
        schema_is_public(block.ident.schema.as_ref()),
        "table {name}: only the public schema is supported"
    );
    let mut columns = Vec::new();
    let mut refs = Vec::new();
    for col in &block.cols {
        let settings = col.settings.clone().unwrap_or_default();
        for inline in &settings.refs {
            let lhs = RefIdent {
                table: block.ident.name.clone(),
                compositions: vec![col.name.clone()],
                ..RefIdent::default()
            };
            let (from, to, one_to_one) = orient(&inline.rel, &lhs, &inline.rhs)
                .with_context(|| format!("column {name}.{}", col.name.to_string))?;
            refs.push(ForeignKey {
                name: None,
                from,
                to,
                one_to_one,
                on_delete: None,
                on_update: None,
            });
        }
        columns.push(Column {
            name: col.name.to_string.clone(),
            ty: col.r#type.raw.replace('"', ""),
            pk: settings.is_pk,
            unique: settings.is_unique,
            not_null: settings.nullable == Some(Nullable::NotNull),
            increment: settings.is_incremental,
            default: default_value(&settings)?,
            note: settings.note.as_deref().map(note_text),
        });
    }
    let mut indexes = Vec::new();
    for def in block.indexes.iter().flat_map(|b| &b.defs) {
        let settings = def.settings.clone().unwrap_or_default();
        indexes.push(Index {
            parts: def
                .cols
                .iter()
                .map(|c| match c {
                    IndexesColumnType::String(ident) => IndexPart::Column(ident.to_string.clone()),
                    IndexesColumnType::Expr(literal) => {
                        IndexPart::Expr(literal_text(&literal.value))
                    }
                })
                .collect(),
            name: settings.name.clone(),
            unique: settings.is_unique,
            pk: settings.is_pk,
            method: settings.r#type.as_ref().map(|t| {
                match t {
                    ast::IndexesType::BTree => "btree",
                    ast::IndexesType::Gin => "gin",
                    ast::IndexesType::Gist => "gist",
                    ast::IndexesType::Hash => "hash",
                }
                .to_owned()
            }),
            note: settings.note.as_deref().map(note_text),
        });
    }
    let (note, checks) = match &block.note {
        Some(note) => split_checks(&note_text(&literal_text(&note.value.value)))
            .with_context(|| format!("table {name}: note"))?,
        None => (None, Vec::new()),
    };
    let table = Table {
        name,
        alias: block.ident.alias.as_ref().map(|a| a.to_string.clone()),
        note,
        columns,
        indexes,
        checks,
    };
    Ok((table, refs))
}

/// Orients `lhs rel rhs` as a foreign key. As `dbml2sql` does: `>` puts the key on the left,
/// `<` on the right, and `-` (one-to-one) on the right.
fn orient(
    rel: &Relation,
    lhs: &RefIdent,
    rhs: &RefIdent,
) -> anyhow::Result<(Endpoint, Endpoint, bool)> {
    let lhs = endpoint(lhs)?;
    let rhs = endpoint(rhs)?;
    match rel {
        Relation::Many2One => Ok((lhs, rhs, false)),
        Relation::One2Many => Ok((rhs, lhs, false)),
        Relation::One2One => Ok((rhs, lhs, true)),
        Relation::Many2Many => {
            bail!("{lhs} <> {rhs}: a many-to-many ref needs a join table; declare it")
        }
        Relation::Undef => bail!("{lhs} ? {rhs}: a ref without a relation"),
    }
}

fn endpoint(ident: &RefIdent) -> anyhow::Result<Endpoint> {
    ensure!(
        schema_is_public(ident.schema.as_ref()),
        "ref to {}: only the public schema is supported",
        ident.table.to_string
    );
    Ok(Endpoint {
        table: ident.table.to_string.clone(),
        columns: ident
            .compositions
            .iter()
            .map(|c| c.to_string.clone())
            .collect(),
    })
}

fn action(action: &ast::ReferentialAction) -> String {
    // dbml-rs implements ToString (not Display): "set null" and the like.
    action.to_string().to_ascii_uppercase()
}

fn schema_is_public(schema: Option<&ast::Ident>) -> bool {
    schema.is_none_or(|s| s.to_string == dbml_rs::DEFAULT_SCHEMA)
}

fn default_value(settings: &ColumnSettings) -> anyhow::Result<Option<DefaultValue>> {
    let Some(attribute) = settings
        .attributes
        .iter()
        .find(|a| a.key.to_string == "default")
    else {
        return Ok(None);
    };
    let literal = attribute
        .value
        .as_ref()
        .context("`default` needs a value")?;
    Ok(Some(match &literal.value {
        Value::Expr(expr) => DefaultValue::Expr(expr.clone()),
        Value::String(text) => DefaultValue::String(text.clone()),
        // The raw text keeps the number as written (1.50 stays 1.50).
        Value::Integer(_) | Value::Decimal(_) => DefaultValue::Number(literal.raw.clone()),
        Value::Bool(value) => DefaultValue::Bool(*value),
        Value::Null => DefaultValue::Null,
        Value::Enum(word) | Value::HexColor(word) => {
            bail!("default: {word}: quote a string ('...') or backquote an expression (`...`)")
        }
    }))
}

fn literal_text(value: &Value) -> String {
    match value {
        Value::String(s) | Value::Expr(s) | Value::Enum(s) | Value::HexColor(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Decimal(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
    }
}

/// Note text with DBML's multi-line string rule applied: the blank first and last lines go, and
/// so does the indentation all lines share. dbml-rs already drops the whitespace between the
/// opening `'''` and the first word, so the first line's indentation is unknown: it is taken to
/// be the common one.
fn note_text(value: &str) -> String {
    let value = value.replace("\r\n", "\n");
    let mut lines: Vec<&str> = value.lines().collect();
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.trim()
            } else {
                l.get(indent..).unwrap_or(l.trim_start()).trim_end()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits a table note into its prose and its ``check <name>: `<expression>` `` lines.
pub fn split_checks(note: &str) -> anyhow::Result<(Option<String>, Vec<Check>)> {
    let mut prose = Vec::new();
    let mut checks = Vec::new();
    for line in note.lines() {
        let item = line.trim().trim_start_matches(['-', '*']).trim_start();
        let Some(rest) = item.strip_prefix("check ") else {
            prose.push(line);
            continue;
        };
        let (name, expr) = rest
            .split_once(':')
            .with_context(|| format!("{line:?}: expected check <name>: `<expression>`"))?;
        let name = name.trim();
        let expr = expr.trim();
        ensure!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line:?}: the check's name must be a plain identifier"
        );
        let expr = expr
            .strip_prefix('`')
            .and_then(|e| e.strip_suffix('`'))
            .filter(|e| !e.trim().is_empty())
            .with_context(|| format!("{line:?}: put the check's expression in backquotes"))?;
        checks.push(Check {
            name: name.to_owned(),
            expr: expr.trim().to_owned(),
        });
    }
    let prose = note_text(&prose.join("\n"));
    Ok(((!prose.is_empty()).then_some(prose), checks))
}

/// `line L, column C` of a byte offset, for error messages.
fn position(source: &str, offset: usize) -> String {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("line {line}, column {column}")
}
