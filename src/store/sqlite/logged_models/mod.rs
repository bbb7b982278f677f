//! MLflow 3's logged models in the embedded store: [`LoggedModelStore`] for [`SqliteStore`].
//! Every change runs in one transaction, so a refused request changes nothing.

mod load;
pub(super) mod rows;

use rusqlite::Connection;

use crate::entities::{LoggedModel, LoggedModelMetric, LoggedModelStatus, Page};
use crate::error::Result;
use crate::search::{self, LoggedModelQuery};
use crate::store::{LoggedModelSearch, LoggedModelStore, NewLoggedModel};

use super::registry::snapshot;
use super::search::{check_max_results, decode_page_token, next_token};
use super::SqliteStore;

impl LoggedModelStore for SqliteStore {
    fn create_logged_model(&self, model: &NewLoggedModel) -> Result<LoggedModel> {
        self.write_all(|conn| rows::create(conn, model))
    }

    fn get_logged_model(&self, model_id: &str) -> Result<LoggedModel> {
        snapshot(&*self.reader()?, |conn| {
            rows::require(conn, model_id)?;
            load::logged_model(conn, model_id)
        })
    }

    fn finalize_logged_model(&self, model_id: &str, status: LoggedModelStatus) -> Result<LoggedModel> {
        self.write_all(|conn| rows::finalize(conn, model_id, status))
    }

    fn delete_logged_model(&self, model_id: &str) -> Result<()> {
        self.write_all(|conn| rows::delete(conn, model_id))
    }

    fn set_logged_model_tags(&self, model_id: &str, tags: &[(String, String)]) -> Result<()> {
        self.write_all(|conn| rows::set_tags(conn, model_id, tags))
    }

    fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        self.write_all(|conn| rows::delete_tag(conn, model_id, key))
    }

    fn log_logged_model_params(&self, model_id: &str, params: &[(String, String)]) -> Result<()> {
        self.write_all(|conn| rows::log_params(conn, model_id, params))
    }

    fn log_logged_model_metrics(&self, model_id: &str, metrics: &[LoggedModelMetric]) -> Result<()> {
        self.write_all(|conn| rows::log_metrics(conn, model_id, metrics))
    }

    fn search_logged_models(&self, search: &LoggedModelSearch) -> Result<Page<LoggedModel>> {
        snapshot(&*self.reader()?, |conn| run_search(conn, search))
    }
}

fn run_search(conn: &Connection, request: &LoggedModelSearch) -> Result<Page<LoggedModel>> {
    check_max_results(request.max_results)?;
    let filter = search::parse_logged_model_filter(&request.filter)?;
    let order_by = request
        .order_by
        .iter()
        .map(|clause| search::parse_logged_model_order_by(clause))
        .collect::<Result<Vec<_>>>()?;
    let offset = decode_page_token(request.page_token.as_deref())?;
    // One extra row tells whether another page follows.
    let query = LoggedModelQuery {
        experiment_ids: &request.experiment_ids,
        filter: &filter,
        datasets: &request.datasets,
        order_by: &order_by,
        limit: request.max_results + 1,
        offset,
    };
    let (sql, params) = search::logged_models_sql(&query)?;
    let mut ids = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params), |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next_page_token = next_token(&mut ids, request.max_results, offset);
    Ok(Page {
        items: load::logged_models(conn, &ids)?,
        next_page_token,
    })
}
