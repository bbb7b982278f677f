//! Searches followed over every page up to a limit, and the experiments a fluent search
//! covers: what `search_runs(output_format="list")`, `search_experiments()` and the UI's
//! lists need, written once so that no face pages on its own.

use crate::entities::{Experiment, ExperimentId, Page, Run, ViewType};
use crate::error::{Error, Result};
use crate::store::{ExperimentSearch, RunSearch};

use super::tracker::Tracker;

/// The most one request asks a store for (MLflow's own limit too).
pub const MAX_PAGE: usize = 50_000;

impl Tracker {
    /// Every run a search finds, up to `max_results`, following the pages from
    /// `search.page_token` on (`search.max_results` is ignored).
    ///
    /// ```
    /// # use rtrack::{store::RunSearch, ExperimentId, RunOptions, Tracker};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// for _ in 0..3 {
    ///     tracker.create_run(RunOptions::default())?;
    /// }
    /// let search = RunSearch { experiment_ids: vec![ExperimentId::DEFAULT], ..Default::default() };
    /// assert_eq!(tracker.search_all_runs(&search, 2)?.len(), 2);
    /// assert_eq!(tracker.search_all_runs(&search, 100)?.len(), 3);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn search_all_runs(&self, search: &RunSearch, max_results: usize) -> Result<Vec<Run>> {
        let mut request = search.clone();
        every_page(max_results, search.page_token.clone(), |size, token| {
            (request.max_results, request.page_token) = (size, token);
            self.search_runs(&request)
        })
    }

    /// Every experiment a search finds (up to `max_results` when given), over all pages.
    pub fn search_all_experiments(
        &self,
        search: &ExperimentSearch,
        max_results: Option<usize>,
    ) -> Result<Vec<Experiment>> {
        let mut request = search.clone();
        every_page(
            max_results.unwrap_or(usize::MAX),
            search.page_token.clone(),
            |size, token| {
                (request.max_results, request.page_token) = (size, token);
                self.search_experiments(&request)
            },
        )
    }

    /// The experiments a fluent `search_runs` covers: the ids given and those of the names
    /// given; with neither, every experiment (`search_all`) or the active one.
    pub fn experiments_to_search(
        &self,
        mut ids: Vec<ExperimentId>,
        names: &[String],
        search_all: bool,
    ) -> Result<Vec<ExperimentId>> {
        for name in names {
            let experiment = self
                .get_experiment_by_name(name)?
                .ok_or_else(|| Error::not_found(format!("No experiment named '{name}'")))?;
            ids.push(experiment.experiment_id);
        }
        if !ids.is_empty() {
            return Ok(ids);
        }
        if search_all {
            let every = ExperimentSearch {
                view: ViewType::All,
                ..Default::default()
            };
            return Ok(self
                .search_all_experiments(&every, None)?
                .into_iter()
                .map(|e| e.experiment_id)
                .collect());
        }
        Ok(vec![super::fluent::current_experiment_id(self)?])
    }
}

/// The items of `page(size, token)` over successive pages, from `first` on, until `limit`
/// items or the last page; each request asks for at most [`MAX_PAGE`].
fn every_page<T>(
    limit: usize,
    first: Option<String>,
    mut page: impl FnMut(usize, Option<String>) -> Result<Page<T>>,
) -> Result<Vec<T>> {
    let mut items = Vec::new();
    let mut token = first;
    while items.len() < limit {
        let found = page((limit - items.len()).min(MAX_PAGE), token)?;
        items.extend(found.items);
        match found.next_page_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(items)
}
