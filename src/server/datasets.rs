//! `experiments/search-datasets`: the distinct datasets (name, digest, context) the runs of
//! some experiments took as inputs, which MLflow's web UI lists beside the runs table.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::request::Params;
use super::AppState;
use crate::entities::{ExperimentId, ViewType};
use crate::store::RunSearch;

/// MLflow's limits: experiments per request, summaries per answer.
const MAX_EXPERIMENTS: usize = 20;
const MAX_SUMMARIES: usize = 1000;
/// The tag naming what a dataset was used for (`training`, `eval`, ...).
const CONTEXT_TAG: &str = "mlflow.data.context";

pub fn search_datasets(state: &AppState, params: &Params) -> ApiResult<Value> {
    let ids = params.str_list("experiment_ids")?;
    if ids.is_empty() {
        return Err(ApiError::invalid(
            "SearchDatasets request must specify at least one experiment_id.",
        ));
    }
    if ids.len() > MAX_EXPERIMENTS {
        return Err(ApiError::invalid(format!(
            "SearchDatasets request cannot specify more than {MAX_EXPERIMENTS} experiment_ids. Received {} experiment_ids.",
            ids.len()
        )));
    }
    let experiment_ids = ids
        .iter()
        .map(|id| ExperimentId::parse(id))
        .collect::<crate::Result<Vec<_>>>()?;
    let Some(io) = state.tracker.store().run_io() else {
        return Ok(json!({ "dataset_summaries": [] }));
    };
    let mut seen = BTreeSet::new();
    let mut summaries = Vec::new();
    let mut search = RunSearch {
        experiment_ids,
        view: ViewType::All,
        max_results: 50_000,
        ..RunSearch::default()
    };
    'pages: loop {
        let page = state.tracker.search_runs(&search)?;
        for run in &page.items {
            for dataset in io.get_run_io(&run.info.run_id)?.datasets {
                let context = dataset.tags.get(CONTEXT_TAG).cloned();
                let key = (
                    run.info.experiment_id.to_string(),
                    dataset.name,
                    dataset.digest,
                    context,
                );
                if seen.insert(key.clone()) {
                    let mut summary = json!({"experiment_id": key.0, "name": key.1, "digest": key.2});
                    if let Some(context) = key.3 {
                        summary["context"] = json!(context);
                    }
                    summaries.push(summary);
                    if summaries.len() == MAX_SUMMARIES {
                        break 'pages;
                    }
                }
            }
        }
        match page.next_page_token {
            Some(token) => search.page_token = Some(token),
            None => break,
        }
    }
    Ok(json!({ "dataset_summaries": summaries }))
}
