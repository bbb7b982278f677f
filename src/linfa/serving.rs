//! linfa models behind `rtrack models serve` (features `linfa` and `server`): a
//! [`Predictor`] for `rust_linfa` model folders, so the scoring server answers from Rust alone.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::model::LinfaModel;
use super::storage::FLAVOR;
use crate::error::{Error, Result};
use crate::models::{InputTable, MlModel, ModelSignature};
use crate::serving::{register_loader, Predictor};

struct LinfaPredictor {
    model: LinfaModel,
    signature: Option<ModelSignature>,
}

impl Predictor for LinfaPredictor {
    fn signature(&self) -> Option<&ModelSignature> {
        self.signature.as_ref()
    }

    fn predict(&self, input: &InputTable) -> Result<Vec<Value>> {
        let rows = input_rows(&self.model, input)?;
        let predictions = self.model.predict_rows(&rows)?;
        Ok(if self.model.is_classifier() {
            predictions.into_iter().map(|label| Value::from(label as i64)).collect()
        } else {
            predictions.into_iter().map(Value::from).collect()
        })
    }
}

/// The table as rows in the model's feature order: named columns by the feature names the
/// model was fitted with, positional columns (or an unnamed model) as given.
fn input_rows(model: &LinfaModel, input: &InputTable) -> Result<Vec<Vec<f64>>> {
    let columns: Vec<&Vec<Value>> = if input.named && !model.feature_names.is_empty() {
        model
            .feature_names
            .iter()
            .map(|name| {
                input
                    .column(name)
                    .map(|c| &c.values)
                    .ok_or_else(|| Error::invalid(format!("the input has no column '{name}'")))
            })
            .collect::<Result<_>>()?
    } else {
        input.columns.iter().map(|c| &c.values).collect()
    };
    let names: Vec<String> = if input.named {
        input.columns.iter().map(|c| c.name.clone()).collect()
    } else {
        Vec::new()
    };
    (0..input.rows())
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(index, values)| {
                    values[row].as_f64().ok_or_else(|| {
                        let column = names.get(index).cloned().unwrap_or_else(|| index.to_string());
                        Error::invalid(format!("row {row}, column '{column}': {} is not a number", values[row]))
                    })
                })
                .collect()
        })
        .collect()
}

/// Serve the model in `dir` if its `MLmodel` has the `rust_linfa` flavor.
fn load_linfa_model(dir: &Path, mlmodel: &MlModel) -> Option<Result<Arc<dyn Predictor>>> {
    mlmodel.flavor(FLAVOR)?;
    Some(LinfaModel::load(dir).map(|model| {
        let signature = mlmodel.signature.clone().or_else(|| model.signature());
        Arc::new(LinfaPredictor { model, signature }) as Arc<dyn Predictor>
    }))
}

/// Let [`serving::load_predictor`](crate::serving::load_predictor) (and so `rtrack models
/// serve`) serve `rust_linfa` model folders. Calling it again does nothing more.
pub fn register_serving() {
    register_loader(load_linfa_model);
}
