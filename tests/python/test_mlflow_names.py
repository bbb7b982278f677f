"""The MLflow names scripts reach through ``import rtrack as mlflow`` resolve to rtrack's
own objects (thin re-exports, not copies)."""

import rtrack as mlflow
from rtrack import _core


def test_signature_and_schema_names():
    assert mlflow.models.signature.ModelSignature is _core.ModelSignature
    assert mlflow.models.infer_signature is mlflow.models.signature.infer_signature
    assert mlflow.types.schema.Schema is _core.Schema
    assert mlflow.types.schema.ColSpec is _core.ColSpec
    assert mlflow.types.schema.TensorSpec is _core.TensorSpec
    assert mlflow.types.ColSpec is _core.ColSpec


def test_client_entity_and_exception_names():
    assert mlflow.MlflowClient is mlflow.Client
    assert mlflow.tracking.MlflowClient is mlflow.Client
    assert mlflow.tracking.get_tracking_uri is mlflow.get_tracking_uri
    for name in ["Experiment", "Run", "RunInfo", "RunData", "Metric", "Param", "RunTag", "FileInfo"]:
        assert getattr(mlflow.entities, name) is getattr(_core, name), name
    assert mlflow.entities.ModelVersion is _core.ModelVersion
    assert mlflow.entities.RunStatus.FINISHED == "FINISHED"
    assert mlflow.entities.ViewType.ALL == 3
    assert mlflow.exceptions.MlflowException is _core.RtrackError


def test_mlflow_exception_catches_what_rtrack_raises(store):
    try:
        mlflow.get_run("0" * 32)
    except mlflow.exceptions.MlflowException as error:
        assert error.error_code == "RESOURCE_DOES_NOT_EXIST"
    else:
        raise AssertionError("get_run of an unknown id should raise")


def test_a_schema_built_from_the_types_module_signs_a_model():
    Schema, ColSpec = mlflow.types.schema.Schema, mlflow.types.schema.ColSpec
    signature = mlflow.models.signature.ModelSignature(
        inputs=Schema([ColSpec("double", "x"), ColSpec("long", "n")]),
        outputs=Schema([ColSpec("double")]),
    )
    assert signature.inputs.input_names() == ["x", "n"]


def test_module_level_verbs_mlflow_scripts_call(store):
    assert mlflow.MlflowException is _core.RtrackError
    assert mlflow.is_tracking_uri_set()
    assert mlflow.get_registry_uri() == mlflow.get_tracking_uri()
    mlflow.set_registry_uri(mlflow.get_tracking_uri())
    try:
        mlflow.set_registry_uri("http://elsewhere:5000")
    except mlflow.exceptions.MlflowException as error:
        assert "tracking store" in str(error)
    else:
        raise AssertionError("another registry URI should be refused")
    mlflow.set_experiment_tags({"team": "ml"})
    assert mlflow.get_experiment("0").tags["team"] == "ml"
    with mlflow.start_run() as parent, mlflow.start_run(nested=True) as child:
        pass
    assert mlflow.get_parent_run(child.info.run_id).info.run_id == parent.info.run_id
    assert mlflow.get_parent_run(parent.info.run_id) is None
    model = mlflow.MlflowClient().create_logged_model("0", name="enet")
    assert mlflow.get_logged_model(model.model_id).name == "enet"
    assert [m.model_id for m in mlflow.search_logged_models()] == [model.model_id]
    assert mlflow.search_registered_models() == []
    mlflow.flush_async_logging()
