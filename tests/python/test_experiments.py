"""Experiments: the default one, set/create/get, search, rename, delete and restore."""

import pytest

import rtrack
from helpers import uri_to_path
from rtrack import ViewType


def test_default_experiment_exists(store):
    default = rtrack.get_experiment("0")
    assert default.experiment_id == "0"
    assert default.name == "Default"
    assert default.lifecycle_stage == "active"
    assert rtrack.get_experiment_by_name("Default").experiment_id == "0"
    assert uri_to_path(default.artifact_location).is_relative_to(store / "artifacts")


def test_runs_go_to_the_default_experiment_when_none_is_set(store):
    with rtrack.start_run() as run:
        pass
    assert run.info.experiment_id == "0"


def test_set_experiment_creates_then_returns_the_same(store):
    created = rtrack.set_experiment("wine-quality")
    assert isinstance(created, rtrack.Experiment)
    assert created.name == "wine-quality"
    assert created.experiment_id not in ("", "0")
    assert created.lifecycle_stage == "active"
    assert created.tags == {}
    assert uri_to_path(created.artifact_location).is_relative_to(store / "artifacts")
    assert created.creation_time > 0
    again = rtrack.set_experiment("wine-quality")
    assert again.experiment_id == created.experiment_id
    assert again == created
    with rtrack.start_run() as run:
        pass
    assert run.info.experiment_id == created.experiment_id
    assert uri_to_path(run.info.artifact_uri).is_relative_to(uri_to_path(created.artifact_location))


def test_set_experiment_by_id(store):
    experiment_id = rtrack.create_experiment("by-id")
    assert rtrack.set_experiment(experiment_id=experiment_id).name == "by-id"
    assert rtrack.set_experiment(experiment_id=int(experiment_id)).name == "by-id"
    with rtrack.start_run() as run:
        pass
    assert run.info.experiment_id == experiment_id


def test_set_experiment_needs_a_name_or_an_id(store):
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.set_experiment()
    with pytest.raises(rtrack.NotFoundError, match="12345"):
        rtrack.set_experiment(experiment_id="12345")


def test_create_experiment_with_tags_and_location(store, tmp_path):
    location = (tmp_path / "elsewhere").as_uri()
    experiment_id = rtrack.create_experiment("tagged", artifact_location=location, tags={"team": "ml", "n": 3})
    assert isinstance(experiment_id, str)
    experiment = rtrack.get_experiment(experiment_id)
    assert experiment.tags == {"team": "ml", "n": "3"}
    assert experiment.artifact_location == location
    assert rtrack.set_experiment("tagged").tags == {"team": "ml", "n": "3"}
    rtrack.Client().set_experiment_tag(experiment_id, "stage", "dev")
    assert rtrack.get_experiment(experiment_id).tags["stage"] == "dev"


def test_experiment_ids_are_distinct(store):
    ids = {rtrack.create_experiment(f"e{i}") for i in range(5)}
    assert len(ids) == 5 and "0" not in ids


def test_duplicate_name_is_already_exists(store):
    rtrack.create_experiment("dup")
    with pytest.raises(rtrack.AlreadyExistsError, match="dup"):
        rtrack.create_experiment("dup")
    with pytest.raises(rtrack.AlreadyExistsError):
        rtrack.create_experiment("Default")


def test_invalid_experiment_names(store):
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.create_experiment("")
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.create_experiment("x" * 501)


def test_get_experiment_by_name_missing_is_none(store):
    assert rtrack.get_experiment_by_name("nope") is None


def test_get_unknown_experiment_is_not_found(store):
    with pytest.raises(rtrack.NotFoundError, match="'987'"):
        rtrack.get_experiment("987")


def test_rename(store):
    experiment_id = rtrack.create_experiment("old")
    rtrack.rename_experiment(experiment_id, "new")
    assert rtrack.get_experiment(experiment_id).name == "new"
    assert rtrack.get_experiment_by_name("old") is None
    assert rtrack.get_experiment_by_name("new").experiment_id == experiment_id
    rtrack.create_experiment("taken")
    with pytest.raises(rtrack.AlreadyExistsError, match="taken"):
        rtrack.rename_experiment(experiment_id, "taken")
    assert rtrack.get_experiment(experiment_id).name == "new"
    with pytest.raises(rtrack.NotFoundError):
        rtrack.rename_experiment("4242", "whatever")


def test_delete_and_restore(store):
    experiment_id = rtrack.create_experiment("bin-me")
    with rtrack.start_run(experiment_id=experiment_id) as run:
        pass
    rtrack.delete_experiment(experiment_id)
    assert rtrack.get_experiment(experiment_id).lifecycle_stage == "deleted"
    # Its runs go to the bin with it.
    assert rtrack.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    # A deleted experiment keeps its name, cannot be set, and takes no runs.
    with pytest.raises(rtrack.AlreadyExistsError):
        rtrack.create_experiment("bin-me")
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        rtrack.set_experiment("bin-me")
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        rtrack.set_experiment(experiment_id=experiment_id)
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        rtrack.start_run(experiment_id=experiment_id)
    assert rtrack.active_run() is None
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.delete_experiment(experiment_id)

    rtrack.restore_experiment(experiment_id)
    assert rtrack.get_experiment(experiment_id).lifecycle_stage == "active"
    assert rtrack.get_run(run.info.run_id).info.lifecycle_stage == "active"
    assert rtrack.set_experiment("bin-me").experiment_id == experiment_id


def test_default_experiment_cannot_be_deleted(store):
    with pytest.raises(rtrack.InvalidValueError, match="'0'"):
        rtrack.delete_experiment("0")
    assert rtrack.get_experiment("0").lifecycle_stage == "active"


def test_search_experiments_filter_order_and_views(store):
    for name in ["wine-red", "wine-white", "beer"]:
        rtrack.create_experiment(name, tags={"kind": name.split("-")[0]})
    rtrack.delete_experiment(rtrack.get_experiment_by_name("wine-white").experiment_id)

    active = [e.name for e in rtrack.search_experiments(order_by=["name ASC"])]
    assert active == ["Default", "beer", "wine-red"]
    deleted = [e.name for e in rtrack.search_experiments(view_type=ViewType.DELETED_ONLY)]
    assert deleted == ["wine-white"]
    everything = {e.name for e in rtrack.search_experiments(view_type=ViewType.ALL)}
    assert everything == {"Default", "beer", "wine-red", "wine-white"}

    wines = rtrack.search_experiments(view_type=ViewType.ALL, filter_string="name LIKE 'wine%'", order_by=["name DESC"])
    assert [e.name for e in wines] == ["wine-white", "wine-red"]
    tagged = rtrack.search_experiments(filter_string="tags.kind = 'beer'")
    assert [e.name for e in tagged] == ["beer"]
    assert len(rtrack.search_experiments(max_results=2)) == 2


def test_client_search_experiments_pages(client):
    for i in range(5):
        client.create_experiment(f"exp-{i}")
    seen, token = [], None
    while True:
        page = client.search_experiments(max_results=2, order_by=["name ASC"], page_token=token)
        assert len(page) <= 2
        seen.extend(e.name for e in page)
        token = page.token
        if token is None:
            break
    assert seen == ["Default"] + [f"exp-{i}" for i in range(5)]


def test_search_experiments_malformed_filter(store):
    with pytest.raises(rtrack.InvalidValueError, match="position"):
        rtrack.search_experiments(filter_string="name ==== 'x'")
