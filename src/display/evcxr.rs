//! evcxr's display protocol: a value whose `evcxr_display` method prints
//! `EVCXR_BEGIN_CONTENT text/html`, the HTML, then `EVCXR_END_CONTENT` shows as that HTML
//! in the notebook cell. Every displayable type also has `to_html` (via [`ToHtml`]).

use std::io::{self, Write};

use super::entities::{experiment_html, experiments_html, run_html, runs_html};
use super::{LiveChart, MetricHistory, Summary};
use crate::entities::{Experiment, Page, Run};

/// What a notebook shows for a value.
pub trait ToHtml {
    fn to_html(&self) -> String;

    /// Write the value in evcxr's display protocol.
    fn write_evcxr(&self, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\n",
            self.to_html()
        )
    }
}

impl ToHtml for Run {
    fn to_html(&self) -> String {
        run_html(self)
    }
}

impl ToHtml for Experiment {
    fn to_html(&self) -> String {
        experiment_html(self)
    }
}

impl ToHtml for Page<Run> {
    fn to_html(&self) -> String {
        runs_html(&self.items.iter().collect::<Vec<_>>())
    }
}

impl ToHtml for Page<Experiment> {
    fn to_html(&self) -> String {
        experiments_html(&self.items.iter().collect::<Vec<_>>())
    }
}

impl ToHtml for Summary {
    fn to_html(&self) -> String {
        Summary::to_html(self)
    }
}

impl ToHtml for MetricHistory {
    fn to_html(&self) -> String {
        MetricHistory::to_html(self)
    }
}

impl ToHtml for LiveChart {
    fn to_html(&self) -> String {
        LiveChart::to_html(self)
    }
}

/// Inherent `evcxr_display` methods, so evcxr finds them without a `use` in the notebook.
macro_rules! evcxr_display {
    ($($kind:ty),*) => {$(
        impl $kind {
            /// Show the value as HTML in an evcxr notebook cell.
            pub fn evcxr_display(&self) {
                // A closed stdout leaves nothing to show the value on.
                let _ = ToHtml::write_evcxr(self, &mut io::stdout().lock());
            }
        }
    )*};
}

evcxr_display!(
    Run,
    Experiment,
    Page<Run>,
    Page<Experiment>,
    Summary,
    MetricHistory,
    LiveChart
);

#[cfg(test)]
mod tests {
    use super::super::cells::tests::run;
    use super::*;

    #[test]
    fn the_printed_text_follows_evcxr_protocol() {
        let value = run("enet <0.5>", &[("alpha", "0.5")], &[("rmse", 0.7)]);
        let mut printed = Vec::new();
        value.write_evcxr(&mut printed).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        let body = printed
            .strip_prefix("EVCXR_BEGIN_CONTENT text/html\n")
            .and_then(|rest| rest.strip_suffix("\nEVCXR_END_CONTENT\n"))
            .expect(&printed);
        assert_eq!(body, run_html(&value));
        assert!(body.contains("enet &lt;0.5&gt;") && !body.contains("EVCXR"));
    }

    #[test]
    fn a_page_of_runs_prints_as_a_table() {
        let page = Page {
            items: vec![run("a", &[], &[]), run("b", &[], &[])],
            next_page_token: None,
        };
        let mut printed = Vec::new();
        page.write_evcxr(&mut printed).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        assert!(printed.starts_with("EVCXR_BEGIN_CONTENT text/html\n<div class=\"rtrack-view rtrack-runs\">"));
        assert!(printed.contains("2 runs"));
    }
}
