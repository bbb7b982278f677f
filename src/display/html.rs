//! Escaping, and the table every view is made of. Anything a user typed (names, keys,
//! values, tags) reaches the page only through [`escape`], so a run called
//! `<script>alert(1)</script>` shows as that text.

use std::fmt::Write;

use super::format;

/// Text made safe for an element's content or a quoted attribute value.
///
/// ```
/// use rtrack::display::html::escape;
/// assert_eq!(escape(r#"<b title="x">'&'</b>"#), "&lt;b title=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            other => safe.push(other),
        }
    }
    safe
}

/// One table cell: its content (already HTML), a class and an optional tooltip.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    html: String,
    class: &'static str,
    tooltip: Option<String>,
}

impl Cell {
    /// Plain text, escaped.
    pub fn text(text: &str) -> Cell {
        Cell {
            html: escape(text),
            ..Cell::default()
        }
    }

    /// Markup built by this module's callers from escaped parts.
    pub fn html(html: String) -> Cell {
        Cell {
            html,
            ..Cell::default()
        }
    }

    /// A number, right-aligned, rounded for reading, exact in its tooltip.
    pub fn number(value: f64) -> Cell {
        Cell {
            html: format::number(value),
            class: "num",
            tooltip: Some(format::exact(value)),
        }
    }

    /// An empty cell: the run has no such param or metric.
    pub fn missing() -> Cell {
        Cell {
            html: String::new(),
            class: "missing",
            tooltip: None,
        }
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = class;
        self
    }

    pub fn tooltip(mut self, text: &str) -> Cell {
        self.tooltip = Some(text.to_string());
        self
    }

    fn write(&self, tag: &str, out: &mut String) {
        out.push('<');
        out.push_str(tag);
        if !self.class.is_empty() {
            let _ = write!(out, r#" class="{}""#, self.class);
        }
        if let Some(tooltip) = &self.tooltip {
            let _ = write!(out, r#" title="{}""#, escape(tooltip));
        }
        let _ = write!(out, ">{}</{tag}>", self.html);
    }
}

/// A table with one header row (optionally a grouping row above it) and body rows.
#[derive(Default)]
pub struct Table {
    groups: Vec<(String, usize)>,
    header: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(header: Vec<Cell>) -> Table {
        Table {
            header,
            ..Table::default()
        }
    }

    /// Column headers with plain-text names.
    pub fn with_columns<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Table {
        Table::new(names.into_iter().map(|name| Cell::text(name.as_ref())).collect())
    }

    /// A row above the header naming groups of `span` columns ("Params", "Metrics").
    pub fn group(&mut self, title: &str, span: usize) {
        if span > 0 {
            self.groups.push((escape(title), span));
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn to_html(&self) -> String {
        let mut out = String::from(r#"<table class="rtrack-table"><thead>"#);
        if !self.groups.is_empty() {
            out.push_str("<tr>");
            for (title, span) in &self.groups {
                let _ = write!(out, r#"<th class="group" colspan="{span}">{title}</th>"#);
            }
            out.push_str("</tr>");
        }
        out.push_str("<tr>");
        for cell in &self.header {
            cell.write("th", &mut out);
        }
        out.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            out.push_str("<tr>");
            for cell in row {
                cell.write("td", &mut out);
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        out
    }
}

/// A view's outer box: the shared style sheet, then the content.
pub fn view(class: &str, content: &str) -> String {
    format!(
        r#"<div class="rtrack-view {class}">{}{content}</div>"#,
        super::style::STYLE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_text_and_tooltips_but_not_markup() {
        let mut table = Table::with_columns(["<name>", "value"]);
        table.row(vec![
            Cell::text("<script>alert(1)</script>"),
            Cell::number(0.123456).tooltip("\"quoted\""),
        ]);
        table.row(vec![Cell::html("<b>bold</b>".into()), Cell::missing()]);
        let html = table.to_html();
        assert!(html.contains("<th>&lt;name&gt;</th>"), "{html}");
        assert!(
            html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<td class="num" title="&quot;quoted&quot;">0.1235</td>"#),
            "{html}"
        );
        assert!(html.contains("<td><b>bold</b></td>"));
        assert!(html.contains(r#"<td class="missing"></td>"#));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn group_row_spans_its_columns() {
        let mut table = Table::with_columns(["run", "alpha", "rmse"]);
        table.group("", 1);
        table.group("Params & more", 1);
        table.group("Metrics", 1);
        table.group("never shown", 0);
        let html = table.to_html();
        assert!(
            html.contains(r#"<th class="group" colspan="1">Params &amp; more</th>"#),
            "{html}"
        );
        assert!(!html.contains("never shown"));
        assert!(table.is_empty());
    }
}
