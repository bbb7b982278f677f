"""One exception family: a base class, a subclass per kind, codes, and messages that name
what was wrong."""

import pytest

import rtrack


@pytest.mark.parametrize(
    "cls, code",
    [
        (rtrack.NotFoundError, "RESOURCE_DOES_NOT_EXIST"),
        (rtrack.InvalidValueError, "INVALID_PARAMETER_VALUE"),
        (rtrack.AlreadyExistsError, "RESOURCE_ALREADY_EXISTS"),
        (rtrack.RtrackError, "INTERNAL_ERROR"),
    ],
)
def test_hierarchy_and_codes(cls, code):
    assert issubclass(cls, rtrack.RtrackError)
    assert issubclass(cls, Exception)
    assert cls.error_code == code


def test_raised_errors_carry_their_code(store):
    with pytest.raises(rtrack.NotFoundError) as raised:
        rtrack.get_run("missing")
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_unknown_run_id_is_named(store):
    with pytest.raises(rtrack.NotFoundError, match="'abc123'"):
        rtrack.get_run("abc123")
    with pytest.raises(rtrack.NotFoundError, match="abc123"):
        rtrack.get_metric_history("abc123", "m")
    with pytest.raises(rtrack.NotFoundError, match="abc123"):
        rtrack.Client().log_param("abc123", "p", 1)
    with pytest.raises(rtrack.NotFoundError, match="abc123"):
        rtrack.Client().log_metric("abc123", "m", 1.0)
    with pytest.raises(rtrack.NotFoundError, match="abc123"):
        rtrack.Client().set_terminated("abc123")
    with pytest.raises(rtrack.NotFoundError, match="abc123"):
        rtrack.Client().list_artifacts("abc123")


def test_unknown_experiment_id_is_named(store):
    with pytest.raises(rtrack.NotFoundError, match="'31337'"):
        rtrack.get_experiment("31337")
    with pytest.raises(rtrack.NotFoundError, match="31337"):
        rtrack.start_run(experiment_id="31337")
    with pytest.raises(rtrack.NotFoundError, match="31337"):
        rtrack.delete_experiment("31337")


def test_malformed_experiment_id(store):
    with pytest.raises(rtrack.InvalidValueError, match="not-a-number"):
        rtrack.get_experiment("not-a-number")


@pytest.mark.parametrize("key", ["a;b", "", "../up", "/abs", "tab\there", "x" * 251])
def test_bad_metric_keys_are_named(store, key):
    with rtrack.start_run() as run:
        with pytest.raises(rtrack.InvalidValueError) as raised:
            rtrack.log_metric(key, 1.0)
        assert "metric" in str(raised.value)
        if key and len(key) < 40:
            assert key in str(raised.value)
    assert rtrack.get_run(run.info.run_id).data.metrics == {}


@pytest.mark.parametrize("verb", ["log_param", "set_tag"])
def test_bad_param_and_tag_keys_are_named(store, verb):
    with rtrack.start_run():
        with pytest.raises(rtrack.InvalidValueError, match="a;b"):
            getattr(rtrack, verb)("a;b", 1)


def test_duplicate_experiment_is_already_exists(store):
    rtrack.create_experiment("twice")
    with pytest.raises(rtrack.AlreadyExistsError, match="'twice'") as raised:
        rtrack.create_experiment("twice")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_errors_are_catchable_by_the_base_class(store):
    for call in (
        lambda: rtrack.get_run("nope"),
        lambda: rtrack.create_experiment(""),
        lambda: rtrack.set_tracking_uri("foo://x"),
    ):
        with pytest.raises(rtrack.RtrackError):
            call()


def test_max_results_out_of_range(store):
    with pytest.raises(rtrack.InvalidValueError, match="max_results"):
        rtrack.Client().search_runs(["0"], max_results=0)
    with pytest.raises(rtrack.InvalidValueError, match="max_results"):
        rtrack.Client().search_runs(["0"], max_results=50_001)
