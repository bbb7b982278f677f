"""Where the store lives: folder paths, file: and sqlite:/// URIs, the environment
variable, the default folder, and refused schemes."""

import sqlite3

import pytest

import rtrack
from helpers import clean_env, run_python, uri_to_path


@pytest.fixture(autouse=True)
def _reset_uri():
    yield
    while rtrack.active_run() is not None:
        rtrack.end_run()
    rtrack.set_tracking_uri(None)


def _log_one_run():
    with rtrack.start_run() as run:
        rtrack.log_param("p", 1)
        rtrack.log_metric("m", 2.0)
        rtrack.log_text("hello", "note.txt")
    return run.info.run_id


def test_folder_path_holds_database_and_artifacts(tmp_path):
    folder = tmp_path / "my store"
    rtrack.set_tracking_uri(str(folder))
    rtrack.set_experiment(experiment_id="0")
    assert rtrack.get_tracking_uri() == str(folder)
    run_id = _log_one_run()
    assert (folder / "rtrack.db").is_file()
    artifacts = uri_to_path(rtrack.get_run(run_id).info.artifact_uri)
    assert artifacts.is_relative_to(folder / "artifacts")
    assert (artifacts / "note.txt").read_text() == "hello"
    # The database is a real SQLite file holding the run.
    with sqlite3.connect(folder / "rtrack.db") as db:
        assert db.execute("SELECT count(*) FROM runs WHERE run_uuid = ?", (run_id,)).fetchone()[0] == 1


@pytest.mark.parametrize("form", ["file://", "file:"])
def test_file_uri_is_a_store_folder(tmp_path, form):
    folder = tmp_path / "file store"
    uri = folder.as_uri() if form == "file://" else "file:" + str(folder)
    rtrack.set_tracking_uri(uri)
    rtrack.set_experiment(experiment_id="0")
    assert rtrack.get_tracking_uri() == uri
    run_id = _log_one_run()
    assert (folder / "rtrack.db").is_file()
    assert uri_to_path(rtrack.get_run(run_id).info.artifact_uri).is_relative_to(folder / "artifacts")
    # The same store opened by path sees the run.
    assert rtrack.Client(str(folder)).get_run(run_id).data.params == {"p": "1"}


def test_sqlite_uri_puts_artifacts_beside_the_database(tmp_path):
    database = tmp_path / "db" / "m.db"
    uri = "sqlite:///" + str(database)  # sqlite:////abs/path.db
    rtrack.set_tracking_uri(uri)
    rtrack.set_experiment(experiment_id="0")
    run_id = _log_one_run()
    assert database.is_file()
    assert not (tmp_path / "db" / "rtrack.db").exists()
    artifacts = uri_to_path(rtrack.get_run(run_id).info.artifact_uri)
    assert artifacts.is_relative_to(tmp_path / "db" / "artifacts")
    assert (artifacts / "note.txt").read_text() == "hello"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_relative_sqlite_uri_is_relative_to_the_working_directory(tmp_path):
    script = """
        import rtrack
        rtrack.set_tracking_uri("sqlite:///rel.db")
        with rtrack.start_run() as run:
            rtrack.log_metric("m", 1.0)
        print(run.info.run_id)
    """
    run_id = run_python(script, cwd=tmp_path).stdout.strip()
    assert (tmp_path / "rel.db").is_file()
    assert rtrack.Client("sqlite:///" + str(tmp_path / "rel.db")).get_run(run_id).data.metrics == {"m": 1.0}


def test_environment_variable_names_the_store(tmp_path):
    folder = tmp_path / "from-env"
    script = """
        import rtrack
        print(rtrack.get_tracking_uri())
        with rtrack.start_run(run_name="env-run") as run:
            rtrack.log_metric("m", 3.0)
        print(run.info.run_id)
    """
    out = run_python(script, env=clean_env(RTRACK_TRACKING_URI=str(folder))).stdout.split()
    assert out[0] == str(folder)
    run = rtrack.Client(str(folder)).get_run(out[1])
    assert run.info.run_name == "env-run"
    assert run.data.metrics == {"m": 3.0}


def test_mlflows_environment_variables_are_honoured(tmp_path):
    folder = tmp_path / "mlflow-env"
    first = rtrack.Client(str(folder)).create_run(experiment_id="0")
    script = """
        import rtrack
        print(rtrack.get_tracking_uri())
        with rtrack.start_run() as run:  # resumes MLFLOW_RUN_ID
            rtrack.log_metric("resumed", 1.0)
        print(run.info.run_id)
    """
    env = clean_env(MLFLOW_TRACKING_URI=str(folder), MLFLOW_RUN_ID=first.info.run_id)
    out = run_python(script, env=env).stdout.split()
    assert out == [str(folder), first.info.run_id]
    assert rtrack.Client(str(folder)).get_run(first.info.run_id).data.metrics == {"resumed": 1.0}

    script = """
        import rtrack
        with rtrack.start_run() as run:
            pass
        print(rtrack.Client().get_experiment(run.info.experiment_id).name)
    """
    env = clean_env(MLFLOW_TRACKING_URI=str(folder), MLFLOW_EXPERIMENT_NAME="from-mlflow-env")
    assert run_python(script, env=env).stdout.strip() == "from-mlflow-env"
    # rtrack's own variable wins over MLflow's.
    env = clean_env(MLFLOW_TRACKING_URI=str(tmp_path / "other"), RTRACK_TRACKING_URI=str(folder))
    assert run_python("import rtrack; print(rtrack.get_tracking_uri())", env=env).stdout.strip() == str(folder)


def test_set_tracking_uri_wins_over_the_environment(tmp_path):
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(tmp_path / "explicit")!r})
        print(rtrack.get_tracking_uri())
        rtrack.set_tracking_uri(None)
        print(rtrack.get_tracking_uri())
    """
    out = run_python(script, env=clean_env(RTRACK_TRACKING_URI=str(tmp_path / "env"))).stdout.split()
    assert out == [str(tmp_path / "explicit"), str(tmp_path / "env")]


def test_default_store_is_rtruns_in_the_working_directory(tmp_path):
    script = """
        import rtrack
        print(rtrack.get_tracking_uri())
        with rtrack.start_run() as run:
            rtrack.log_metric("m", 1.0)
        print(run.info.run_id)
    """
    out = run_python(script, cwd=tmp_path).stdout.split()
    assert out[0] == str(tmp_path / "rtruns")
    assert (tmp_path / "rtruns" / "rtrack.db").is_file()
    assert rtrack.Client(str(tmp_path / "rtruns")).get_run(out[1]).data.metrics == {"m": 1.0}


@pytest.mark.parametrize(
    "uri, scheme",
    [
        ("https://tracking.example.com", "https"),
        ("postgresql://user@host/db", "postgresql"),
        ("foo://bar", "foo"),
    ],
)
def test_unknown_scheme_is_a_clear_error(tmp_path, uri, scheme):
    rtrack.set_tracking_uri(str(tmp_path / "before"))
    with pytest.raises(rtrack.InvalidValueError) as raised:
        rtrack.set_tracking_uri(uri)
    assert isinstance(raised.value, rtrack.RtrackError)
    assert f"'{scheme}'" in str(raised.value)
    assert uri in str(raised.value)
    # The refused URI did not replace the one in force.
    assert rtrack.get_tracking_uri() == str(tmp_path / "before")
    with pytest.raises(rtrack.InvalidValueError, match=scheme):
        rtrack.Client(uri)


def test_unknown_scheme_in_the_environment_fails_at_first_use(tmp_path):
    script = """
        import rtrack
        try:
            rtrack.start_run()
        except rtrack.InvalidValueError as e:
            print("refused:", e)
    """
    out = run_python(script, cwd=tmp_path, env=clean_env(RTRACK_TRACKING_URI="foo://x")).stdout
    assert out.startswith("refused:") and "'foo'" in out
    assert not (tmp_path / "rtruns").exists()


def test_empty_uri_is_refused():
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.set_tracking_uri("")


def test_client_tracking_uri(tmp_path):
    folder = tmp_path / "c"
    assert rtrack.Client(str(folder)).tracking_uri == str(folder)


def test_path_objects_are_accepted(tmp_path):
    folder = tmp_path / "as-path"
    rtrack.set_tracking_uri(folder)
    assert rtrack.get_tracking_uri() == str(folder)
    rtrack.set_experiment(experiment_id="0")
    run_id = _log_one_run()
    assert rtrack.Client(folder).get_run(run_id).data.metrics == {"m": 2.0}
    assert (folder / "rtrack.db").is_file()
