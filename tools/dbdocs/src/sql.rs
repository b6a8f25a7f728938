//! `doc/schema.sql`: the PostgreSQL DDL of the model, in `dbml2sql --postgres` order: enum
//! types, tables (with their primary keys and checks), indexes, comments from notes, then the
//! foreign keys. The drift check runs this very text in a scratch schema, so it is checked too.

use std::fmt::Write;

use crate::model::{Column, DefaultValue, IndexPart, Schema, Table};

pub fn render(schema: &Schema) -> String {
    let mut statements: Vec<String> = Vec::new();
    for e in &schema.enums {
        let values: Vec<String> = e
            .values
            .iter()
            .map(|v| format!("  {}", literal(&v.name)))
            .collect();
        statements.push(format!(
            "CREATE TYPE {} AS ENUM (\n{}\n);",
            ident(&e.name),
            values.join(",\n")
        ));
    }
    for table in &schema.tables {
        statements.push(create_table(schema, table));
    }
    for table in &schema.tables {
        for index in table.indexes.iter().filter(|i| !i.pk) {
            let mut sql = String::from("CREATE ");
            if index.unique {
                sql.push_str("UNIQUE ");
            }
            sql.push_str("INDEX ");
            if let Some(name) = &index.name {
                write!(sql, "{} ", ident(name)).unwrap();
            }
            write!(sql, "ON {} ", ident(&table.name)).unwrap();
            if let Some(method) = &index.method {
                write!(sql, "USING {} ", method.to_ascii_uppercase()).unwrap();
            }
            let parts: Vec<String> = index
                .parts
                .iter()
                .map(|p| match p {
                    IndexPart::Column(c) => ident(c),
                    IndexPart::Expr(e) => format!("({e})"),
                })
                .collect();
            write!(sql, "({});", parts.join(", ")).unwrap();
            statements.push(sql);
        }
    }
    for table in &schema.tables {
        if let Some(note) = &table.note {
            statements.push(format!(
                "COMMENT ON TABLE {} IS {};",
                ident(&table.name),
                literal(note)
            ));
        }
        for column in &table.columns {
            if let Some(note) = &column.note {
                statements.push(format!(
                    "COMMENT ON COLUMN {}.{} IS {};",
                    ident(&table.name),
                    ident(&column.name),
                    literal(note)
                ));
            }
        }
    }
    for fk in &schema.refs {
        let mut sql = format!("ALTER TABLE {} ADD ", ident(&fk.from.table));
        if let Some(name) = &fk.name {
            write!(sql, "CONSTRAINT {} ", ident(name)).unwrap();
        }
        write!(
            sql,
            "FOREIGN KEY ({}) REFERENCES {} ({})",
            idents(&fk.from.columns),
            ident(&fk.to.table),
            idents(&fk.to.columns)
        )
        .unwrap();
        if let Some(action) = &fk.on_delete {
            write!(sql, " ON DELETE {action}").unwrap();
        }
        if let Some(action) = &fk.on_update {
            write!(sql, " ON UPDATE {action}").unwrap();
        }
        sql.push(';');
        statements.push(sql);
    }

    let mut out = String::from(
        "-- SQL dump generated from doc/db.dbml by `dbdocs sql` (make db_schema). Do not edit.\n",
    );
    if let Some(database) = schema
        .project
        .as_ref()
        .and_then(|p| p.database_type.as_deref())
    {
        writeln!(out, "-- Database: {database}").unwrap();
    }
    for statement in statements {
        out.push('\n');
        out.push_str(&statement);
        out.push('\n');
    }
    out
}

fn create_table(schema: &Schema, table: &Table) -> String {
    let pk = table.primary_key();
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column(schema, c, pk.len() == 1 && pk[0] == c.name))
        .collect();
    if pk.len() > 1 {
        lines.push(format!("PRIMARY KEY ({})", idents(&pk)));
    }
    for check in &table.checks {
        lines.push(format!(
            "CONSTRAINT {} CHECK ({})",
            ident(&check.name),
            check.expr
        ));
    }
    let body: Vec<String> = lines.iter().map(|l| format!("  {l}")).collect();
    format!(
        "CREATE TABLE {} (\n{}\n);",
        ident(&table.name),
        body.join(",\n")
    )
}

fn column(schema: &Schema, column: &Column, single_pk: bool) -> String {
    let mut sql = format!("{} {}", ident(&column.name), column_type(schema, column));
    if single_pk {
        sql.push_str(" PRIMARY KEY");
    }
    if column.unique {
        sql.push_str(" UNIQUE");
    }
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        write!(sql, " DEFAULT {default}").unwrap();
    }
    sql
}

/// The type as written; `increment` turns an integer type into its serial; enums are quoted.
fn column_type(schema: &Schema, column: &Column) -> String {
    if column.increment && !column.is_serial() {
        return match column.ty.to_ascii_lowercase().as_str() {
            "bigint" | "int8" => "bigserial",
            "smallint" | "int2" => "smallserial",
            _ => "serial",
        }
        .to_owned();
    }
    if schema.enums.iter().any(|e| e.name == column.ty) {
        return ident(&column.ty);
    }
    column.ty.clone()
}

/// A double-quoted identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A single-quoted string literal.
pub fn literal(text: &str) -> String {
    DefaultValue::String(text.to_owned()).to_string()
}
