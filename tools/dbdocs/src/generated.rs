//! Are the committed `doc/db/index.html` and `doc/schema.sql` what the generators make now?

use std::{fs, path::Path};

/// One generated file to compare with what is on disk.
pub struct Expected<'a> {
    pub path: &'a Path,
    pub content: String,
    /// The make target that rewrites it.
    pub target: &'a str,
}

/// A readable problem for each file that is missing or differs; empty when all are current.
pub fn stale(files: &[Expected]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let shown = file.path.display();
        match fs::read_to_string(file.path) {
            Err(err) => problems.push(format!(
                "{shown}: cannot be read ({err}); run make {}",
                file.target
            )),
            Ok(actual) if actual != file.content => problems.push(format!(
                "{shown} is out of date ({}); run make {} and commit it",
                first_difference(&actual, &file.content),
                file.target
            )),
            Ok(_) => {}
        }
    }
    problems
}

/// Where two texts first differ, as `line N: "committed" vs "generated"`.
pub fn first_difference(committed: &str, generated: &str) -> String {
    let mut committed_lines = committed.lines();
    let mut generated_lines = generated.lines();
    let mut line = 1;
    loop {
        match (committed_lines.next(), generated_lines.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (None, None) => return "only the line endings differ".to_owned(),
            (a, b) => {
                return format!(
                    "line {line}: committed {} vs generated {}",
                    excerpt(a),
                    excerpt(b)
                );
            }
        }
    }
}

fn excerpt(line: Option<&str>) -> String {
    match line {
        None => "(end of file)".to_owned(),
        Some(text) if text.chars().count() > 80 => {
            format!("{:?}…", text.chars().take(80).collect::<String>())
        }
        Some(text) => format!("{text:?}"),
    }
}
