//! Running run and experiment searches: the search module turns the filter into SQL with
//! bound parameters; this file executes it, pages, and loads the results.

use rusqlite::Connection;

use crate::entities::{Experiment, Page, Run, RunTableBuilder};
use crate::error::{Error, Result};
use crate::search::{self, ExperimentQuery, RunQuery};
pub(super) use crate::store::page_token::decode_page_token;
use crate::store::page_token::encode_page_token;
use crate::store::{ExperimentSearch, RunSearch};

use super::{experiments, runs};

/// Largest page a single search may ask for.
pub const MAX_RESULTS_LIMIT: usize = 50_000;

pub fn runs(conn: &Connection, request: &RunSearch) -> Result<Page<Run>> {
    let mut found = Vec::new();
    let next_page_token = each_run_row(conn, request, |row| {
        found.push(runs::run_from_row(row)?);
        Ok(())
    })?;
    Ok(Page {
        items: found,
        next_page_token,
    })
}

/// Add a page of runs to a table, straight from the rows, without making each run first.
pub fn run_table(conn: &Connection, request: &RunSearch, table: &mut RunTableBuilder) -> Result<Option<String>> {
    each_run_row(conn, request, |row| runs::add_row_to_table(row, table))
}

/// Run the search and call `visit` with each row of its page (columns
/// [`runs::RUN_COLUMNS`]); returns the next page's token.
fn each_run_row(
    conn: &Connection,
    request: &RunSearch,
    mut visit: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
) -> Result<Option<String>> {
    check_max_results(request.max_results)?;
    let filter = search::parse_filter(&request.filter)?;
    let order_by = request
        .order_by
        .iter()
        .map(|clause| search::parse_order_by(clause))
        .collect::<Result<Vec<_>>>()?;
    let offset = decode_page_token(request.page_token.as_deref())?;
    let query = RunQuery {
        experiment_ids: &request.experiment_ids,
        view: request.view,
        filter: &filter,
        order_by: &order_by,
        // One extra row tells whether another page follows.
        limit: request.max_results + 1,
        offset,
    };
    // The runs' params, tags and latest metrics come with their rows (see summary.rs).
    let (sql, params) = search::runs_sql_selecting(&query, runs::RUN_COLUMNS)?;
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut visited = 0;
    while let Some(row) = rows.next()? {
        if visited == request.max_results {
            // The look-ahead row: another page follows.
            return Ok(Some(encode_page_token(offset + request.max_results)));
        }
        visit(row)?;
        visited += 1;
    }
    Ok(None)
}

pub fn experiments(conn: &Connection, request: &ExperimentSearch) -> Result<Page<Experiment>> {
    check_max_results(request.max_results)?;
    let filter = search::parse_experiment_filter(&request.filter)?;
    let order_by = request
        .order_by
        .iter()
        .map(|clause| search::parse_experiment_order_by(clause))
        .collect::<Result<Vec<_>>>()?;
    let offset = decode_page_token(request.page_token.as_deref())?;
    let query = ExperimentQuery {
        view: request.view,
        filter: &filter,
        order_by: &order_by,
        limit: request.max_results + 1,
        offset,
    };
    let (sql, params) = search::experiments_sql(&query)?;
    let mut ids = query_ids::<i64>(conn, &sql, params)?;
    let next_page_token = next_token(&mut ids, request.max_results, offset);
    Ok(Page {
        items: experiments::get_many(conn, &ids)?,
        next_page_token,
    })
}

pub(super) fn check_max_results(max_results: usize) -> Result<()> {
    if max_results == 0 || max_results > MAX_RESULTS_LIMIT {
        return Err(Error::invalid(format!(
            "Invalid value {max_results} for parameter 'max_results' supplied. It must be between 1 and {MAX_RESULTS_LIMIT}"
        )));
    }
    Ok(())
}

fn query_ids<T: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    params: Vec<rusqlite::types::Value>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(params), |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<T>>>()?;
    Ok(ids)
}

/// Drop the look-ahead row and say where the next page starts, if there is one.
pub(super) fn next_token<T>(ids: &mut Vec<T>, max_results: usize, offset: usize) -> Option<String> {
    if ids.len() > max_results {
        ids.truncate(max_results);
        Some(encode_page_token(offset + max_results))
    } else {
        None
    }
}
