//! The ER diagram: an inline SVG with one box per table, laid out in layers by foreign-key depth
//! (tables that reference nothing on the left, their dependants to the right), boxes ordered to
//! keep edges short, and an edge from each foreign-key column to the column it references.
//! Text is monospace so box widths can be computed without a font engine.

use std::fmt::Write;

use crate::{
    html::escape,
    model::{Schema, Table},
};

const MARGIN: f64 = 24.0;
const HEADER: f64 = 32.0;
const ROW: f64 = 22.0;
const PAD_BOTTOM: f64 = 6.0;
const LAYER_GAP: f64 = 120.0;
const NODE_GAP: f64 = 32.0;
/// Advance of one character at the row font (12px monospace).
const CHAR: f64 = 7.3;
/// Advance of one character at the header font (13px bold monospace).
const HEADER_CHAR: f64 = 8.0;
const GUTTER: f64 = 28.0;
const MIN_WIDTH: f64 = 190.0;

/// Where each table box goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Node>,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Index into `Schema::tables`.
    pub table: usize,
    pub layer: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Node {
    /// The vertical middle of a column's row.
    fn row_y(&self, table: &Table, column: &str) -> f64 {
        let row = table
            .columns
            .iter()
            .position(|c| c.name == column)
            .unwrap_or(0);
        self.y + HEADER + ROW * row as f64 + ROW / 2.0
    }
}

fn box_height(table: &Table) -> f64 {
    HEADER + ROW * table.columns.len() as f64 + PAD_BOTTOM
}

fn box_width(table: &Table) -> f64 {
    let rows = table
        .columns
        .iter()
        .map(|c| (c.name.chars().count() + c.ty.chars().count() + 3) as f64 * CHAR + GUTTER + 12.0)
        .fold(0.0, f64::max);
    let header = table.name.chars().count() as f64 * HEADER_CHAR + 28.0;
    rows.max(header).max(MIN_WIDTH).ceil()
}

/// Lays the tables out. Deterministic: the same schema gives the same coordinates.
pub fn layout(schema: &Schema) -> Layout {
    let tables = &schema.tables;
    let index_of = |name: &str| tables.iter().position(|t| t.name == name);
    // parents[i]: the tables i references (self references left out).
    let parents: Vec<Vec<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut p: Vec<usize> = schema
                .references_from(&t.name)
                .filter_map(|r| index_of(&r.to.table))
                .filter(|&j| j != i)
                .collect();
            p.sort_unstable();
            p.dedup();
            p
        })
        .collect();

    let mut depth = vec![None; tables.len()];
    for i in 0..tables.len() {
        compute_depth(i, &parents, &mut depth, &mut Vec::new());
    }
    let depth: Vec<usize> = depth.into_iter().map(|d| d.unwrap_or(0)).collect();
    let layer_count = depth.iter().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (i, &d) in depth.iter().enumerate() {
        layers[d].push(i);
    }
    let children: Vec<Vec<usize>> = (0..tables.len())
        .map(|i| {
            (0..tables.len())
                .filter(|&c| parents[c].contains(&i))
                .collect()
        })
        .collect();

    // Order each layer by the mean position of its neighbours (barycentre sweeps).
    for _ in 0..2 {
        for k in 1..layer_count {
            let position = positions(&layers);
            sort_by_barycentre(&mut layers[k], &parents, &position);
        }
        for k in (0..layer_count.saturating_sub(1)).rev() {
            let position = positions(&layers);
            sort_by_barycentre(&mut layers[k], &children, &position);
        }
    }

    // Geometry: one column per layer, as wide as its widest box.
    let widths: Vec<f64> = layers
        .iter()
        .map(|l| {
            l.iter()
                .map(|&i| box_width(&tables[i]))
                .fold(MIN_WIDTH, f64::max)
        })
        .collect();
    let mut nodes: Vec<Option<Node>> = vec![None; tables.len()];
    let mut x = MARGIN;
    for (k, layer) in layers.iter().enumerate() {
        let mut y = 0.0;
        for &i in layer {
            let height = box_height(&tables[i]);
            nodes[i] = Some(Node {
                table: i,
                layer: k,
                x,
                y,
                width: widths[k],
                height,
            });
            y += height + NODE_GAP;
        }
        x += widths[k] + LAYER_GAP;
    }
    let mut nodes: Vec<Node> = nodes.into_iter().flatten().collect();

    // Vertical placement: align each box's key rows with the rows they reference (left to
    // right), then centre parents on their dependants (right to left).
    for layer in layers.iter().skip(1) {
        align_layer(schema, layer, &mut nodes, Direction::ToParents);
    }
    for layer in layers.iter().rev().skip(1) {
        align_layer(schema, layer, &mut nodes, Direction::ToChildren);
    }
    let top = nodes.iter().map(|n| n.y).fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
    for node in &mut nodes {
        node.y = (node.y + shift).round();
    }
    let width = (x - LAYER_GAP + MARGIN).max(2.0 * MARGIN).round();
    let height = nodes
        .iter()
        .map(|n| n.y + n.height)
        .fold(0.0, f64::max)
        .round()
        + MARGIN;
    Layout {
        nodes,
        width,
        height,
    }
}

/// Longest path to a table that references nothing; a reference cycle is cut where found.
fn compute_depth(
    i: usize,
    parents: &[Vec<usize>],
    depth: &mut [Option<usize>],
    stack: &mut Vec<usize>,
) -> usize {
    if let Some(d) = depth[i] {
        return d;
    }
    stack.push(i);
    let open: Vec<usize> = parents[i]
        .iter()
        .copied()
        .filter(|p| !stack.contains(p))
        .collect();
    let d = open
        .into_iter()
        .map(|p| compute_depth(p, parents, depth, stack) + 1)
        .max()
        .unwrap_or(0);
    stack.pop();
    depth[i] = Some(d);
    d
}

fn positions(layers: &[Vec<usize>]) -> Vec<(usize, usize)> {
    let count = layers.iter().map(Vec::len).sum::<usize>();
    let mut position = vec![(0, 0); count];
    for (k, layer) in layers.iter().enumerate() {
        for (p, &i) in layer.iter().enumerate() {
            position[i] = (k, p);
        }
    }
    position
}

fn sort_by_barycentre(layer: &mut [usize], neighbours: &[Vec<usize>], position: &[(usize, usize)]) {
    let current: Vec<usize> = layer.to_vec();
    let key = |i: usize| -> f64 {
        let n = &neighbours[i];
        if n.is_empty() {
            // No neighbours: keep the current slot.
            current.iter().position(|&c| c == i).unwrap_or(0) as f64
        } else {
            n.iter().map(|&j| position[j].1 as f64).sum::<f64>() / n.len() as f64
        }
    };
    layer.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
}

enum Direction {
    ToParents,
    ToChildren,
}

/// Moves the boxes of one layer towards the rows their edges attach to, keeping their order and
/// at least `NODE_GAP` between them.
fn align_layer(schema: &Schema, layer: &[usize], nodes: &mut [Node], direction: Direction) {
    let tables = &schema.tables;
    let node_of = |nodes: &[Node], name: &str| -> Option<usize> {
        nodes.iter().position(|n| tables[n.table].name == name)
    };
    let mut desired: Vec<Option<f64>> = Vec::new();
    for &i in layer {
        let me = node_of(nodes, &tables[i].name).expect("every table has a node");
        let table = &tables[i];
        // (offset of my row from my top, y of the row at the other end)
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        let edges: Vec<_> = match direction {
            Direction::ToParents => schema.references_from(&table.name).collect(),
            Direction::ToChildren => schema.referenced_by(&table.name).collect(),
        };
        for fk in edges {
            let (mine, other) = match direction {
                Direction::ToParents => (&fk.from, &fk.to),
                Direction::ToChildren => (&fk.to, &fk.from),
            };
            if other.table == table.name {
                continue;
            }
            let Some(o) = node_of(nodes, &other.table) else {
                continue;
            };
            let other_table = &tables[nodes[o].table];
            let my_row = nodes[me].row_y(table, &mine.columns[0]) - nodes[me].y;
            pairs.push((my_row, nodes[o].row_y(other_table, &other.columns[0])));
        }
        desired.push(
            (!pairs.is_empty())
                .then(|| pairs.iter().map(|(row, y)| y - row).sum::<f64>() / pairs.len() as f64),
        );
    }
    // Boxes without a wish keep their place relative to the previous box.
    let mut previous_bottom = f64::NEG_INFINITY;
    for (slot, &i) in layer.iter().enumerate() {
        let me = node_of(nodes, &tables[i].name).expect("every table has a node");
        let wanted = desired[slot].unwrap_or(nodes[me].y);
        let y = wanted.max(previous_bottom + NODE_GAP);
        nodes[me].y = y;
        previous_bottom = y + nodes[me].height;
    }
}

/// The "one" mark: a short bar across the edge, 10px from the box side at `(x, y)`; `direction`
/// is +1 when the edge leaves to the right, -1 to the left.
fn bar_mark((x, y, direction): (f64, f64, f64)) -> String {
    format!(
        r#"<path d="M{} {} V{}"/>"#,
        x + 10.0 * direction,
        y - 6.0,
        y + 6.0
    )
}

/// The diagram as an inline `<svg>`: one `<g class="er-node" data-table=...>` per table.
pub fn render(schema: &Schema) -> String {
    let layout = layout(schema);
    let tables = &schema.tables;
    let node_of = |name: &str| {
        layout
            .nodes
            .iter()
            .find(|n| tables[n.table].name == name)
            .expect("every table has a node")
    };
    let mut svg = String::new();
    write!(
        svg,
        r#"<svg class="er" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="er-title">"#,
        w = layout.width,
        h = layout.height
    )
    .unwrap();
    svg.push_str(r#"<title id="er-title">Entity-relationship diagram</title>"#);

    // Edges first, so the boxes sit on top of them.
    svg.push_str(r#"<g class="er-edges">"#);
    for fk in &schema.refs {
        let from = node_of(&fk.from.table);
        let to = node_of(&fk.to.table);
        let from_table = &tables[from.table];
        let to_table = &tables[to.table];
        let y1 = from.row_y(from_table, &fk.from.columns[0]);
        let y2 = to.row_y(to_table, &fk.to.columns[0]);
        let (path, foot, bar) = if fk.from.table == fk.to.table {
            // A self reference loops out of the right side.
            let x = from.x + from.width;
            (
                format!("M{x} {y1} C{a} {y1} {a} {y2} {x} {y2}", a = x + 48.0),
                (x, y1, 1.0),
                (x, y2, 1.0),
            )
        } else if from.x > to.x {
            let x1 = from.x;
            let x2 = to.x + to.width;
            let dx = ((x1 - x2) / 2.0).max(40.0);
            (
                format!("M{x1} {y1} C{} {y1} {} {y2} {x2} {y2}", x1 - dx, x2 + dx),
                (x1, y1, -1.0),
                (x2, y2, 1.0),
            )
        } else {
            let x1 = from.x + from.width;
            let x2 = to.x;
            let dx = ((x2 - x1) / 2.0).max(40.0);
            (
                format!("M{x1} {y1} C{} {y1} {} {y2} {x2} {y2}", x1 + dx, x2 - dx),
                (x1, y1, 1.0),
                (x2, y2, -1.0),
            )
        };
        let label = format!("{fk}");
        write!(
            svg,
            r#"<g class="er-edge" data-from="{}" data-to="{}"><title>{}</title><path d="{path}"/>"#,
            escape(&fk.from.table),
            escape(&fk.to.table),
            escape(&label)
        )
        .unwrap();
        // "many" end: a crow's foot; "one" end: a bar (a bar at both ends for one-to-one).
        let (fx, fy, fdir) = foot;
        if fk.one_to_one {
            svg.push_str(&bar_mark(foot));
        } else {
            let heel = fx + 12.0 * fdir;
            write!(
                svg,
                r#"<path d="M{heel} {fy} L{fx} {} M{heel} {fy} L{fx} {fy} M{heel} {fy} L{fx} {}"/>"#,
                fy - 6.0,
                fy + 6.0
            )
            .unwrap();
        }
        svg.push_str(&bar_mark(bar));
        svg.push_str("</g>");
    }
    svg.push_str("</g>");

    for node in &layout.nodes {
        let table = &tables[node.table];
        let pk = table.primary_key();
        let fk_columns: Vec<&str> = schema
            .references_from(&table.name)
            .flat_map(|r| r.from.columns.iter().map(String::as_str))
            .collect();
        let name = escape(&table.name);
        write!(
            svg,
            r##"<g class="er-node" data-table="{name}"><a href="#table-{name}"><title>{name}: go to the table</title>"##
        )
        .unwrap();
        write!(
            svg,
            r#"<rect class="er-box" x="{}" y="{}" width="{}" height="{}" rx="8"/>"#,
            node.x, node.y, node.width, node.height
        )
        .unwrap();
        write!(
            svg,
            r#"<path class="er-head" d="M{x} {yb} V{yr} Q{x} {y} {xr} {y} H{xe} Q{xw} {y} {xw} {yr} V{yb} Z"/>"#,
            x = node.x,
            y = node.y,
            yr = node.y + 8.0,
            yb = node.y + HEADER,
            xr = node.x + 8.0,
            xe = node.x + node.width - 8.0,
            xw = node.x + node.width
        )
        .unwrap();
        write!(
            svg,
            r#"<text class="er-title" x="{}" y="{}">{name}</text>"#,
            node.x + 12.0,
            node.y + 21.0
        )
        .unwrap();
        for (row, column) in table.columns.iter().enumerate() {
            let top = node.y + HEADER + ROW * row as f64;
            let baseline = top + 15.0;
            if row % 2 == 1 {
                write!(
                    svg,
                    r#"<rect class="er-stripe" x="{}" y="{top}" width="{}" height="{ROW}"/>"#,
                    node.x + 1.0,
                    node.width - 2.0
                )
                .unwrap();
            }
            let key = if pk.contains(&column.name) {
                Some(("er-pk", "PK"))
            } else if fk_columns.contains(&column.name.as_str()) {
                Some(("er-fk", "FK"))
            } else {
                None
            };
            if let Some((class, text)) = key {
                write!(
                    svg,
                    r#"<text class="{class}" x="{}" y="{baseline}">{text}</text>"#,
                    node.x + 8.0
                )
                .unwrap();
            }
            let class = if pk.contains(&column.name) {
                "er-col er-col-pk"
            } else {
                "er-col"
            };
            write!(
                svg,
                r#"<text class="{class}" x="{}" y="{baseline}">{}</text>"#,
                node.x + GUTTER + 6.0,
                escape(&column.name)
            )
            .unwrap();
            write!(
                svg,
                r#"<text class="er-type" x="{}" y="{baseline}" text-anchor="end">{}{}</text>"#,
                node.x + node.width - 10.0,
                escape(&column.ty),
                if column.nullable(table) { "?" } else { "" }
            )
            .unwrap();
        }
        svg.push_str("</a></g>");
    }
    svg.push_str("</svg>");
    svg
}
