"""The model registry and logged models from Python: MlflowClient's names and arguments,
entities with MLflow's attributes, errors that name what was wrong."""

import pytest

import rtrack


def _versions(client, name, count):
    client.create_registered_model(name)
    return [client.create_model_version(name, f"s3://m/{name}/{n}") for n in range(1, count + 1)]


def test_registered_model_round_trip(client):
    model = client.create_registered_model("HousePrices", tags={"team": "pricing", "tier": 1}, description="regressor")
    assert isinstance(model, rtrack.RegisteredModel)
    assert (model.name, model.description, model.tags) == ("HousePrices", "regressor", {"team": "pricing", "tier": "1"})
    assert model.latest_versions == [] and model.aliases == {}
    assert model.creation_timestamp == model.last_updated_timestamp > 0
    assert client.get_registered_model("HousePrices") == model
    assert client.update_registered_model("HousePrices", description="new").description == "new"
    assert client.update_registered_model("HousePrices").description is None
    client.set_registered_model_tag("HousePrices", "team", "valuation")
    client.delete_registered_model_tag("HousePrices", "tier")
    assert client.get_registered_model("HousePrices").tags == {"team": "valuation"}


def test_versions_number_up_and_keep_what_they_were_given(client):
    run = client.create_run("0")
    client.create_registered_model("HousePrices")
    first = client.create_model_version(
        "HousePrices",
        "s3://m/1",
        run_id=run.info.run_id,
        tags={"validated": True},
        run_link="http://ci/1",
        description="d",
    )
    assert isinstance(first, rtrack.ModelVersion)
    assert (first.name, first.version, first.current_stage, first.status) == ("HousePrices", "1", "None", "READY")
    assert (first.source, first.run_id, first.run_link, first.description) == (
        "s3://m/1",
        run.info.run_id,
        "http://ci/1",
        "d",
    )
    assert first.tags == {"validated": "True"} and first.aliases == [] and first.model_id is None
    assert client.create_model_version("HousePrices", "s3://m/2").version == "2"
    client.delete_model_version("HousePrices", "2")
    assert client.create_model_version("HousePrices", "s3://m/3").version == "3"
    # A version number may be given as an int or a string.
    assert client.get_model_version("HousePrices", 1) == client.get_model_version("HousePrices", "1")
    assert client.update_model_version("HousePrices", 1, description="updated").description == "updated"
    client.set_model_version_tag("HousePrices", 3, "k", 1.5)
    assert client.get_model_version("HousePrices", 3).tags == {"k": "1.5"}
    client.delete_model_version_tag("HousePrices", 3, "k")
    assert client.get_model_version("HousePrices", 3).tags == {}


def test_aliases_move_for_a_rollback(client):
    _versions(client, "HousePrices", 3)
    client.set_registered_model_alias("HousePrices", "production", 3)
    client.set_registered_model_alias("HousePrices", "production", "2")
    serving = client.get_model_version_by_alias("HousePrices", "production")
    assert (serving.version, serving.source, serving.aliases) == ("2", "s3://m/HousePrices/2", ["production"])
    assert client.get_registered_model("HousePrices").aliases == {"production": "2"}
    assert client.get_model_version_by_alias("HousePrices", "latest").version == "3"
    client.delete_model_version("HousePrices", 2)
    assert client.get_registered_model("HousePrices").aliases == {}
    with pytest.raises(rtrack.NotFoundError, match="'production'"):
        client.get_model_version_by_alias("HousePrices", "production")
    for reserved in ("latest", "v2"):
        with pytest.raises(rtrack.InvalidValueError, match=f"'{reserved}'"):
            client.set_registered_model_alias("HousePrices", reserved, 1)
    client.set_registered_model_alias("HousePrices", "shadow", 1)
    client.delete_registered_model_alias("HousePrices", "shadow")
    with pytest.raises(rtrack.NotFoundError, match="'shadow'"):
        client.delete_registered_model_alias("HousePrices", "shadow")


def test_stage_transitions_and_latest_versions(client):
    _versions(client, "HousePrices", 3)
    client.transition_model_version_stage("HousePrices", 1, "Production")
    moved = client.transition_model_version_stage("HousePrices", 2, "production", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert client.get_model_version("HousePrices", 1).current_stage == "Archived"
    latest = client.get_latest_versions("HousePrices")
    assert [(v.version, v.current_stage) for v in latest] == [("1", "Archived"), ("2", "Production"), ("3", "None")]
    assert [v.version for v in client.get_latest_versions("HousePrices", stages=["Production"])] == ["2"]
    assert [v.version for v in client.get_registered_model("HousePrices").latest_versions] == ["1", "2", "3"]
    with pytest.raises(rtrack.InvalidValueError, match="'Archived'"):
        client.transition_model_version_stage("HousePrices", 3, "Archived", archive_existing_versions=True)
    with pytest.raises(rtrack.InvalidValueError, match="'Live'"):
        client.transition_model_version_stage("HousePrices", 3, "Live")
    assert client.get_model_version("HousePrices", 3).current_stage == "None"


def test_searches_filter_order_and_page(client):
    for name, team in [("house-prices", "pricing"), ("house-rents", "rentals"), ("churn", "growth")]:
        client.create_registered_model(name, tags={"team": team})
        client.create_model_version(name, f"s3://m/{name}/1")
        client.create_model_version(name, f"file:///m/{name}/2")
    page = client.search_registered_models("name LIKE 'house%'", order_by=["name DESC"])
    assert isinstance(page, rtrack.PagedList) and page.token is None
    assert [m.name for m in page] == ["house-rents", "house-prices"]
    assert [m.name for m in client.search_registered_models("tags.team = 'growth'")] == ["churn"]
    first = client.search_registered_models(max_results=2)
    rest = client.search_registered_models(max_results=2, page_token=first.token)
    assert [m.name for m in first + rest] == ["churn", "house-prices", "house-rents"]

    found = client.search_model_versions("name = 'churn'", order_by=["version_number ASC"])
    assert [(v.name, v.version) for v in found] == [("churn", "1"), ("churn", "2")]
    found = client.search_model_versions("name IN ('churn', 'house-rents') AND source_path LIKE 'file:%'")
    assert sorted(v.name for v in found) == ["churn", "house-rents"]
    with pytest.raises(rtrack.InvalidValueError, match="'stage'"):
        client.search_model_versions("stage = 'Production'")


def test_an_injection_attempt_matches_nothing_and_changes_nothing(client):
    _versions(client, "HousePrices", 2)
    for attack in ["name = 'x'' OR ''1''=''1'", "name = 'a''; DROP TABLE model_versions; --'"]:
        assert list(client.search_registered_models(attack)) == []
        assert list(client.search_model_versions(attack)) == []
    assert [v.version for v in client.search_model_versions("name = 'HousePrices'")] == ["2", "1"]


def test_rename_keeps_versions_and_aliases(client):
    _versions(client, "prices", 2)
    client.set_registered_model_alias("prices", "production", 2)
    renamed = client.rename_registered_model("prices", "HousePrices")
    assert renamed.name == "HousePrices" and renamed.aliases == {"production": "2"}
    assert client.get_model_version_by_alias("HousePrices", "production").name == "HousePrices"
    with pytest.raises(rtrack.NotFoundError, match="'prices'"):
        client.get_registered_model("prices")
    client.create_registered_model("other")
    with pytest.raises(rtrack.AlreadyExistsError, match="'other'"):
        client.rename_registered_model("HousePrices", "other")


def test_errors_name_what_was_wrong(client):
    client.create_registered_model("HousePrices")
    with pytest.raises(rtrack.AlreadyExistsError, match="'HousePrices'") as raised:
        client.create_registered_model("HousePrices")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(rtrack.NotFoundError, match="'nope'"):
        client.create_model_version("nope", "s3://x")
    with pytest.raises(rtrack.NotFoundError, match="Version 7"):
        client.get_model_version("HousePrices", 7)
    with pytest.raises(rtrack.InvalidValueError, match="'seven'"):
        client.get_model_version("HousePrices", "seven")
    with pytest.raises(rtrack.InvalidValueError, match="'a/b'"):
        client.create_registered_model("a/b")
    with pytest.raises(rtrack.NotFoundError, match="'ghost'"):
        client.create_model_version("HousePrices", "s3://x", run_id="ghost")
    client.delete_registered_model("HousePrices")
    with pytest.raises(rtrack.NotFoundError, match="'HousePrices'"):
        client.delete_registered_model("HousePrices")


def test_register_model_from_a_run(store):
    with rtrack.start_run() as run:
        run_id = run.info.run_id
    artifact_uri = rtrack.get_run(run_id).info.artifact_uri
    version = rtrack.register_model(f"runs:/{run_id}/model", "HousePrices", tags={"stage": "candidate"})
    assert isinstance(version, rtrack.ModelVersion)
    assert (version.version, version.source, version.run_id) == ("1", f"{artifact_uri}/model", run_id)
    assert version.tags == {"stage": "candidate"}
    assert rtrack.register_model(f"runs:/{run_id}/model", "HousePrices").version == "2"
    with pytest.raises(rtrack.InvalidValueError, match="'models:/HousePrices/zero'"):
        rtrack.register_model("models:/HousePrices/zero", "Other")


def test_logged_models(client):
    run_id = client.create_run("0").info.run_id
    model = client.create_logged_model("0", name="enet", source_run_id=run_id, params={"alpha": 0.5}, tags={"t": "v"})
    assert isinstance(model, rtrack.LoggedModel)
    assert model.model_id.startswith("m-") and len(model.model_id) == 34
    assert (model.experiment_id, model.status, model.params, model.tags) == (
        "0",
        "PENDING",
        {"alpha": "0.5"},
        {"t": "v"},
    )
    assert model.artifact_location.endswith(f"/models/{model.model_id}/artifacts")
    assert model.model_uri == f"models:/{model.model_id}"
    client.log_model_metric(model.model_id, "rmse", 0.7, run_id=run_id, dataset_name="test")
    client.log_model_params(model.model_id, {"l1_ratio": 0.1})
    with pytest.raises(rtrack.InvalidValueError, match="'alpha'"):
        client.log_model_params(model.model_id, {"alpha": 0.9})
    assert client.finalize_logged_model(model.model_id, "READY").status == "READY"
    stored = client.get_logged_model(model.model_id)
    assert stored.params == {"alpha": "0.5", "l1_ratio": "0.1"}
    [rmse] = stored.metrics
    assert (rmse.key, rmse.value, rmse.run_id, rmse.dataset_name, rmse.model_id) == (
        "rmse",
        0.7,
        run_id,
        "test",
        model.model_id,
    )

    other = client.create_logged_model("0", name="lasso")
    client.log_model_metric(other.model_id, "rmse", 0.9)
    found = client.search_logged_models(["0"], "metrics.rmse < 0.8 AND status = 'READY'")
    assert [m.name for m in found] == ["enet"]
    ordered = client.search_logged_models("0", order_by=[{"field_name": "metrics.rmse", "ascending": False}])
    assert [m.name for m in ordered] == ["lasso", "enet"]
    assert [m.name for m in client.search_logged_models(["0"], order_by=["metrics.rmse"])] == ["enet", "lasso"]

    version = rtrack.register_model(model.model_uri, "HousePrices")
    assert (version.model_id, version.run_id, version.source) == (model.model_id, run_id, model.artifact_location)
    client.delete_logged_model(other.model_id)
    with pytest.raises(rtrack.NotFoundError, match=other.model_id):
        client.get_logged_model(other.model_id)
    assert [m.name for m in client.search_logged_models(["0"])] == ["enet"]
