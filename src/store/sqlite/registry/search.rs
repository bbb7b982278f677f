//! Running registered model and model version searches: `search` compiles the filter to
//! SQL with bound parameters; this file executes it, pages, and loads the results.

use rusqlite::Connection;

use crate::entities::{ModelVersion, Page, RegisteredModel};
use crate::error::Result;
use crate::search::{self, RegistryQuery};
use crate::store::{ModelVersionSearch, RegisteredModelSearch};

use super::super::search::{check_max_results, decode_page_token, next_token};
use super::load;

pub fn registered_models(conn: &Connection, request: &RegisteredModelSearch) -> Result<Page<RegisteredModel>> {
    check_max_results(request.max_results)?;
    let filter = search::parse_registered_model_filter(&request.filter)?;
    let order_by = request
        .order_by
        .iter()
        .map(|clause| search::parse_registered_model_order_by(clause))
        .collect::<Result<Vec<_>>>()?;
    let offset = decode_page_token(request.page_token.as_deref())?;
    // One extra row tells whether another page follows.
    let query = RegistryQuery {
        filter: &filter,
        order_by: &order_by,
        limit: request.max_results + 1,
        offset,
    };
    let (sql, params) = search::registered_models_sql(&query)?;
    let mut ids = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params), |row| row.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next_page_token = next_token(&mut ids, request.max_results, offset);
    Ok(Page {
        items: load::registered_models(conn, &ids)?,
        next_page_token,
    })
}

pub fn model_versions(conn: &Connection, request: &ModelVersionSearch) -> Result<Page<ModelVersion>> {
    check_max_results(request.max_results)?;
    let filter = search::parse_model_version_filter(&request.filter)?;
    let order_by = request
        .order_by
        .iter()
        .map(|clause| search::parse_model_version_order_by(clause))
        .collect::<Result<Vec<_>>>()?;
    let offset = decode_page_token(request.page_token.as_deref())?;
    let query = RegistryQuery {
        filter: &filter,
        order_by: &order_by,
        limit: request.max_results + 1,
        offset,
    };
    let (sql, params) = search::model_versions_sql(&query)?;
    let mut keys = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params), |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<load::VersionKey>>>()?;
    let next_page_token = next_token(&mut keys, request.max_results, offset);
    Ok(Page {
        items: load::model_versions(conn, &keys)?,
        next_page_token,
    })
}
