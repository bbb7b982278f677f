//! Writing a model folder in MLflow's layout around the files a flavor has already put there
//! (a pickle, weights): `MLmodel`, the input example, and the environment files
//! (`requirements.txt`, `python_env.yaml`, `conda.yaml`).

use std::path::Path;

use serde_json::{json, Value};

use super::mlmodel::MlModel;
use crate::artifacts::to_yaml;
use crate::error::{Error, IoContext, Result};

pub const INPUT_EXAMPLE_FILE: &str = "input_example.json";
pub const SERVING_INPUT_FILE: &str = "serving_input_example.json";

/// The Python environment a model needs to be loaded again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PythonEnvironment {
    /// `3.11.9`
    pub python_version: String,
    /// pip requirement lines (`scikit-learn==1.5.0`).
    pub requirements: Vec<String>,
    /// Packaging tools pinned in `python_env.yaml` (`pip==24.0`).
    pub build_dependencies: Vec<String>,
}

/// An example of model input, stored beside the model.
#[derive(Clone, Debug, PartialEq)]
pub enum InputExample {
    /// A data frame's columns: name -> values.
    Table(Vec<(String, Vec<Value>)>),
    /// An array (nested lists).
    Array(Value),
    /// Any other JSON value (MLflow's `json_object` examples: a dict that is not a table).
    Object(Value),
}

impl InputExample {
    /// `input_example.json`'s content, the matching `saved_input_example_info`, and the
    /// request body a scoring server would take (`serving_input_example.json`).
    fn files(&self) -> Result<(Value, Value, Value)> {
        match self {
            InputExample::Table(columns) => {
                let rows = columns.first().map_or(0, |(_, values)| values.len());
                if columns.iter().any(|(_, values)| values.len() != rows) {
                    // Columns of different lengths are no table: MLflow keeps such a dict as a
                    // JSON object example, and so does rtrack.
                    let object: serde_json::Map<String, Value> = columns
                        .iter()
                        .map(|(name, values)| (name.clone(), Value::Array(values.clone())))
                        .collect();
                    return InputExample::Object(Value::Object(object)).files();
                }
                let names: Vec<&String> = columns.iter().map(|(name, _)| name).collect();
                let data: Vec<Vec<&Value>> = (0..rows)
                    .map(|r| columns.iter().map(|(_, v)| &v[r]).collect())
                    .collect();
                let split = json!({"columns": names, "data": data});
                let info = json!({"artifact_path": INPUT_EXAMPLE_FILE, "type": "dataframe", "pandas_orient": "split",
                                  "serving_input_path": SERVING_INPUT_FILE});
                Ok((split.clone(), info, json!({"dataframe_split": split})))
            }
            InputExample::Array(values) => {
                let info = json!({"artifact_path": INPUT_EXAMPLE_FILE, "type": "ndarray", "format": "tf-serving",
                                  "serving_input_path": SERVING_INPUT_FILE});
                Ok((json!({"inputs": values}), info, json!({"inputs": values})))
            }
            InputExample::Object(value) => {
                let info = json!({"artifact_path": INPUT_EXAMPLE_FILE, "type": "json_object",
                                  "serving_input_path": SERVING_INPUT_FILE});
                Ok((value.clone(), info, json!({ "inputs": value })))
            }
        }
    }
}

/// Complete the model folder `dir`: write the input example and environment files if given,
/// then `MLmodel` (last, so a folder with `MLmodel` is a whole model).
///
/// ```
/// use rtrack::models::{write_model_dir, MlModel, PythonEnvironment};
///
/// let dir = tempfile::tempdir()?;
/// let mut model = MlModel::new();
/// model.add_flavor("python_function", serde_json::json!({"loader_module": "my_loader"}));
/// let env = PythonEnvironment { python_version: "3.11.9".into(), requirements: vec!["numpy==2.0.0".into()], ..Default::default() };
/// write_model_dir(dir.path(), &mut model, Some(&env), None)?;
/// assert_eq!(MlModel::load(dir.path())?, model);
/// assert_eq!(std::fs::read_to_string(dir.path().join("requirements.txt"))?, "numpy==2.0.0\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_model_dir(
    dir: &Path,
    model: &mut MlModel,
    env: Option<&PythonEnvironment>,
    example: Option<&InputExample>,
) -> Result<()> {
    std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let file = dir.join(name);
        std::fs::write(&file, text).context(|| format!("writing {}", file.display()))
    };
    if let Some(example) = example {
        let (content, info, serving) = example.files()?;
        write(
            INPUT_EXAMPLE_FILE,
            serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?,
        )?;
        write(
            SERVING_INPUT_FILE,
            serde_json::to_string_pretty(&serving).map_err(|e| Error::Internal(e.to_string()))?,
        )?;
        model.saved_input_example_info = Some(info);
    }
    if let Some(env) = env {
        let mut requirements = env.requirements.join("\n");
        requirements.push('\n');
        write("requirements.txt", requirements)?;
        write(
            "python_env.yaml",
            to_yaml(
                &json!({"python": env.python_version, "build_dependencies": env.build_dependencies,
                            "dependencies": ["-r requirements.txt"]}),
            ),
        )?;
        let pip_pin = env
            .build_dependencies
            .iter()
            .find_map(|d| d.strip_prefix("pip=="))
            .map(|v| format!("pip<={v}"));
        let mut conda_deps = vec![json!(format!("python={}", env.python_version))];
        conda_deps.extend(pip_pin.map(Value::String));
        conda_deps.push(json!({"pip": env.requirements}));
        write(
            "conda.yaml",
            to_yaml(&json!({"channels": ["conda-forge"], "dependencies": conda_deps, "name": "mlflow-env"})),
        )?;
    }
    model.save(dir)
}

/// The input example stored in a model folder, as its JSON content (None when there is none).
pub fn read_input_example(dir: &Path, model: &MlModel) -> Result<Option<Value>> {
    let Some(info) = &model.saved_input_example_info else {
        return Ok(None);
    };
    let name = info
        .get("artifact_path")
        .and_then(Value::as_str)
        .unwrap_or(INPUT_EXAMPLE_FILE);
    let file = super::mlmodel::model_file(dir, name)?;
    let text = std::fs::read_to_string(&file).context(|| format!("reading {}", file.display()))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::invalid(format!("{}: not JSON ({e})", file.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::from_yaml;

    #[test]
    fn writes_examples_and_environment_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut model = MlModel::new();
        let env = PythonEnvironment {
            python_version: "3.11.9".into(),
            requirements: vec!["scikit-learn==1.5.0".into()],
            build_dependencies: vec!["pip==24.0".into()],
        };
        let example = InputExample::Table(vec![
            ("x".into(), vec![json!(1.0), json!(2.0)]),
            ("y".into(), vec![json!("a"), json!("b")]),
        ]);
        write_model_dir(dir.path(), &mut model, Some(&env), Some(&example)).unwrap();
        let read = read_input_example(dir.path(), &MlModel::load(dir.path()).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(read, json!({"columns": ["x", "y"], "data": [[1.0, "a"], [2.0, "b"]]}));
        let conda = from_yaml(&std::fs::read_to_string(dir.path().join("conda.yaml")).unwrap()).unwrap();
        assert_eq!(
            conda["dependencies"],
            json!(["python=3.11.9", "pip<=24.0", {"pip": ["scikit-learn==1.5.0"]}])
        );
        let python_env = from_yaml(&std::fs::read_to_string(dir.path().join("python_env.yaml")).unwrap()).unwrap();
        assert_eq!(python_env["python"], "3.11.9");
        let serving: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(SERVING_INPUT_FILE)).unwrap()).unwrap();
        assert_eq!(serving["dataframe_split"]["columns"], json!(["x", "y"]));
    }

    #[test]
    fn examples_that_are_not_tables_are_kept_as_json_objects() {
        let dir = tempfile::tempdir().unwrap();
        let split = InputExample::Table(vec![
            ("columns".into(), vec![json!("a"), json!("b")]),
            ("data".into(), vec![json!([1, 2]), json!([3, 4]), json!([5, 6])]),
        ]);
        let mut model = MlModel::new();
        write_model_dir(dir.path(), &mut model, None, Some(&split)).unwrap();
        let saved = json!({"columns": ["a", "b"], "data": [[1, 2], [3, 4], [5, 6]]});
        assert_eq!(read_input_example(dir.path(), &model).unwrap(), Some(saved.clone()));
        assert_eq!(model.saved_input_example_info.as_ref().unwrap()["type"], "json_object");
        let serving = std::fs::read_to_string(dir.path().join(SERVING_INPUT_FILE)).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&serving).unwrap(),
            json!({ "inputs": saved })
        );
    }
}
