//! Models in MLflow's format: signatures (what a model takes and returns), the `MLmodel` file
//! and model folders, checking input against a signature, and finding a model by URI.
//!
//! Flavors that hold Python objects (scikit-learn) pickle them in the Python package; the
//! folder layout, the metadata and every rule about input live here.
//!
//! ```
//! use rtrack::models::{ColSpec, ColumnType, MlModel, ModelSignature, Schema};
//!
//! let mut model = MlModel::new();
//! model.add_flavor("sklearn", serde_json::json!({"pickled_model": "model.pkl", "serialization_format": "pickle"}));
//! model.signature = Some(ModelSignature {
//!     inputs: Schema::Columns(vec![ColSpec::new("rooms", ColumnType::Long), ColSpec::new("area", ColumnType::Double)]),
//!     outputs: None,
//!     params: None,
//! });
//! let text = model.to_yaml();
//! assert!(text.contains(r#"inputs: '[{"type": "long", "name": "rooms", "required": true}"#));
//! assert_eq!(MlModel::from_yaml(&text)?, model);
//! # Ok::<(), rtrack::Error>(())
//! ```

mod enforce;
mod files;
mod location;
mod mlmodel;
mod pyjson;
mod schema;
mod signature;
mod table;
mod types;
mod yaml;

pub use enforce::{enforce_table, plan_column, plan_frame, plan_tensor};
pub use files::{
    read_input_example, write_model_dir, InputExample, PythonEnvironment, INPUT_EXAMPLE_FILE, SERVING_INPUT_FILE,
};
pub use location::{is_model_uri, local_model_dir, resolve_model_dir};
pub use mlmodel::{model_file, MlModel, MLMODEL_FILE};
pub use schema::{ColSpec, Schema, TensorSpec};
pub use signature::{ColumnDescription, DataDescription, ModelSignature};
pub use table::{InputColumn, InputTable};
pub use types::{ColumnType, DType};
pub use yaml::from_yaml;
