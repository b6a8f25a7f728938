//! The docs page for the real schema and queries: complete, self-contained, deterministic.

use std::path::PathBuf;

use simplebank_dbdocs::{html, load_schema, queries, render_html};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A query on no bank table (the lock monitor's catalog read, the purge's advisory
/// lock) is listed in the catalogue without a table card.
fn touches_no_bank_table(query: &queries::Query) -> bool {
    queries::tables_used(
        &query.sql,
        &[
            "accounts",
            "entries",
            "transfers",
            "users",
            "sessions",
            "idempotency_keys",
            "failed_logins",
        ],
    )
    .is_empty()
}

fn page() -> String {
    render_html(&root().join("doc/db.dbml"), &root().join("queries")).unwrap()
}

#[test]
fn the_page_shows_every_table_ref_and_query() {
    let schema = load_schema(&root().join("doc/db.dbml")).unwrap();
    let queries = queries::load_dir(&root().join("queries")).unwrap();
    let page = page();

    for table in &schema.tables {
        assert!(
            page.contains(&format!("<section id=\"table-{}\"", table.name)),
            "no section for table {}",
            table.name
        );
        for column in &table.columns {
            assert!(
                page.contains(&format!("<code class=\"col-name\">{}</code>", column.name)),
                "no row for column {}.{}",
                table.name,
                column.name
            );
        }
    }
    for fk in &schema.refs {
        // Once in the referencing table ("References"), once in the referenced one ("Referenced by").
        let shown = format!(
            "<code>{}</code> → <code>{}</code>",
            html::escape(&fk.from.to_string()),
            html::escape(&fk.to.to_string())
        );
        assert_eq!(
            page.matches(&shown).count(),
            2,
            "ref {fk} is not shown both ways"
        );
        let name = fk.name.as_deref().unwrap();
        assert!(page.contains(name), "ref {name} is not named");
    }
    assert!(
        queries.len() >= 20,
        "the queries folder has {}",
        queries.len()
    );
    for query in &queries {
        assert!(
            touches_no_bank_table(query)
                || page
                    .matches(&format!("\" data-query=\"{}\" data-search=", query.name))
                    .count()
                    >= 1,
            "query {} has no card",
            query.name
        );
        assert!(
            page.contains(&format!("<tr data-query=\"{}\"", query.name)),
            "query {} is not in the catalogue",
            query.name
        );
    }
}

#[test]
fn every_query_of_the_bank_touches_a_known_table() {
    let page = page();
    for query in queries::load_dir(&root().join("queries")).unwrap() {
        if touches_no_bank_table(&query) {
            continue;
        }
        assert!(
            page.contains(&format!("\" data-query=\"{}\" data-search=", query.name)),
            "query {} has no card under a table: no table detected in its SQL",
            query.name
        );
    }
    // Spot checks of the access marks.
    assert!(page.contains("id=\"q-accounts-create_account\""));
    let card = |id: &str| {
        let start = page.find(&format!("id=\"{id}\"")).unwrap();
        let end = start + page[start..].find("</article>").unwrap();
        page[start..end].to_owned()
    };
    assert!(card("q-accounts-create_account").contains("b-write"));
    assert!(card("q-accounts-get_account").contains("b-read"));
    assert!(card("q-accounts-lock_account_pair").contains("b-lock"));
    assert!(card("q-idempotency_keys-decide_keyed_transfer").contains("b-write"));
}

#[test]
fn the_diagram_has_one_node_per_table_and_one_edge_per_ref() {
    let schema = load_schema(&root().join("doc/db.dbml")).unwrap();
    let page = page();
    let start = page
        .find("<svg class=\"er\"")
        .expect("an inline SVG diagram");
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];

    assert_eq!(
        svg.matches("<g class=\"er-node\"").count(),
        schema.tables.len()
    );
    for table in &schema.tables {
        assert!(svg.contains(&format!(
            "<g class=\"er-node\" data-table=\"{}\">",
            table.name
        )));
    }
    assert_eq!(
        svg.matches("<g class=\"er-edge\"").count(),
        schema.refs.len()
    );
}

#[test]
fn the_diagram_boxes_do_not_overlap() {
    let schema = load_schema(&root().join("doc/db.dbml")).unwrap();
    let layout = simplebank_dbdocs::er::layout(&schema);
    for (i, a) in layout.nodes.iter().enumerate() {
        assert!(a.x >= 0.0 && a.y >= 0.0);
        assert!(a.x + a.width <= layout.width && a.y + a.height <= layout.height);
        for b in &layout.nodes[i + 1..] {
            let apart = a.x + a.width <= b.x
                || b.x + b.width <= a.x
                || a.y + a.height <= b.y
                || b.y + b.height <= a.y;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
    // Tables that reference nothing come first (left), their dependants after.
    let layer = |name: &str| {
        let i = schema.tables.iter().position(|t| t.name == name).unwrap();
        layout.nodes.iter().find(|n| n.table == i).unwrap().layer
    };
    assert_eq!(layer("users"), 0);
    assert_eq!(layer("accounts"), 1);
    assert_eq!(layer("transfers"), 2);
}

#[test]
fn the_page_is_self_contained_and_deterministic() {
    let page = page();
    assert_eq!(page, self::page(), "two renders differ");
    for remote in ["http://", "https://", "//cdn", "@import", "<link", "src=\""] {
        let hits: Vec<_> = page
            .match_indices(remote)
            .filter(|(i, _)| !page[..*i].ends_with("xmlns=\""))
            .collect();
        assert!(hits.is_empty(), "the page refers to {remote}: {hits:?}");
    }
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<input id=\"filter\""));
    assert!(page.contains("<meta name=\"viewport\""));
}

#[test]
fn notes_are_markdown_and_raw_html_in_them_is_escaped() {
    let schema = simplebank_dbdocs::Schema::parse(
        "Project p { Note: '''\n  # Title\n\n  Some **bold** and <script>x</script>\n''' }\n\
         Table t { id int [pk, note: 'see `code`'] }",
    )
    .unwrap();
    let page = html::render(&schema, &[]);
    assert!(
        page.contains("<h2>Title</h2>"),
        "headings move one level down"
    );
    assert!(page.contains("<strong>bold</strong>"));
    assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(page.contains("see <code>code</code>"));
}
