//! Notes are markdown (CommonMark via pulldown-cmark). Raw HTML in a note is shown as text, and
//! headings move down by `shift` levels so a note never outranks the page's own headings.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// A block of markdown as HTML.
pub fn block(text: &str, shift: usize) -> String {
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: shifted(level, shift),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => {
                Event::End(TagEnd::Heading(shifted(level, shift)))
            }
            other => other,
        },
    );
    let mut out = String::new();
    html::push_html(&mut out, events);
    out.trim_end().to_owned()
}

/// One paragraph of markdown as inline HTML (no `<p>` around it), for table cells.
pub fn inline(text: &str) -> String {
    let html = block(text, 0);
    match html
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

fn shifted(level: HeadingLevel, shift: usize) -> HeadingLevel {
    let n = (level as usize + shift).min(6);
    HeadingLevel::try_from(n).unwrap_or(HeadingLevel::H6)
}
