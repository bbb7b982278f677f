"""End to end as a deployer: two Ridge models logged and registered, the alias `production`
on v1, load by alias, `rtrack models serve` as a real subprocess on 127.0.0.1 answering every
MLflow payload shape, 400s for bad input with the server staying up, rollback and roll
forward by moving the alias (seen on restart), and a clean stop on Ctrl-C."""

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

import rtrack
from helpers import clean_env

RTRACK = Path(sys.executable).with_name("rtrack")


class ModelServer:
    """`rtrack models serve` through the console script, on a free port."""

    def __init__(self, store, uri, store_variable="RTRACK_TRACKING_URI"):
        self.process = subprocess.Popen(
            [str(RTRACK), "models", "serve", "-m", uri, "-p", "0", "--host", "127.0.0.1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(**{store_variable: store}),
        )
        first_line = self.process.stdout.readline()
        assert " on http://" in first_line, first_line + self.process.stderr.read()
        self.url = first_line.split(" on ")[1].split()[0]

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, body, content_type="application/json"):
        data = body if isinstance(body, str) else json.dumps(body)
        request = urllib.request.Request(
            self.url + "/invocations", data=data.encode(), headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self):
        """Ctrl-C, as a user would; returns (exit code, everything printed)."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out + err


@pytest.fixture
def two_versions(store):
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"rooms": rng.integers(1, 6, 50).astype(float), "area": rng.uniform(30, 150, 50)})
    y = 50 * X["rooms"] + 2.0 * X["area"] + rng.normal(0, 5, 50)
    models = []
    for alpha in (0.5, 5000.0):
        with rtrack.start_run(run_name=f"ridge-{alpha}"):
            rtrack.log_param("alpha", alpha)
            model = Ridge(alpha=alpha).fit(X, y)
            rtrack.sklearn.log_model(model, "model", input_example=X.head(3), registered_model_name="HousePrices")
            models.append(model)
    rtrack.flush()
    rtrack.Client().set_registered_model_alias("HousePrices", "production", 1)
    return X, models


def test_serving_by_alias_with_rollback(store, two_versions):
    X, (v1, v2) = two_versions
    sample = X.head(4)
    assert not np.allclose(v1.predict(sample), v2.predict(sample)), "the two versions must differ"
    loaded = rtrack.pyfunc.load_model("models:/HousePrices@production")
    np.testing.assert_allclose(loaded.predict(X), v1.predict(X))

    server = ModelServer(store, "models:/HousePrices@production")
    try:
        assert server.get("/ping")[0] == 200
        assert server.get("/health")[0] == 200
        assert server.get("/version") == (200, rtrack.__version__)
        split = {"dataframe_split": {"columns": list(sample.columns), "data": sample.values.tolist()}}
        records = {"dataframe_records": sample.to_dict(orient="records")}
        columns = {"inputs": {name: sample[name].tolist() for name in sample.columns}}
        for body in [
            split,
            records,
            {"instances": sample.to_dict(orient="records")},
            columns,
            {"instances": sample.values.tolist()},
        ]:
            status, answer = server.post(body)
            assert status == 200, answer
            np.testing.assert_allclose(answer["predictions"], v1.predict(sample), err_msg=json.dumps(body))
        status, answer = server.post(sample.to_csv(index=False), content_type="text/csv")
        assert status == 200, answer
        np.testing.assert_allclose(answer["predictions"], v1.predict(sample))
        # Integers sent for double columns are fine (JSON has no dtypes).
        status, answer = server.post({"dataframe_records": [{"rooms": 3, "area": 100}]})
        assert status == 200
        np.testing.assert_allclose(answer["predictions"], v1.predict(pd.DataFrame({"rooms": [3.0], "area": [100.0]})))

        for body, content_type, reason in [
            ({"dataframe_records": [{"rooms": 3}]}, "application/json", "'area'"),
            ({"dataframe_records": [{"rooms": "three", "area": 1.0}]}, "application/json", "column 'rooms'"),
            ("{not json", "application/json", "not JSON"),
            ({"rows": [[1, 2]]}, "application/json", "exactly one"),
            ({"instances": [[1.0]]}, "application/json", "expects 2 input columns"),
            ("rooms,area\n1,2", "text/plain", "not supported"),
        ]:
            status, answer = server.post(body, content_type)
            assert status in (400, 415), (body, status, answer)
            assert reason in answer["message"], (reason, answer)
        assert server.get("/ping")[0] == 200, "the server stays up after bad input"
        assert server.post(split)[0] == 200
    finally:
        code, printed = server.stop()
    assert code == 0, printed
    assert "stopped" in printed

    client = rtrack.Client()
    for version, model in [(2, v2), (1, v1), (2, v2)]:  # roll forward, roll back, roll forward
        client.set_registered_model_alias("HousePrices", "production", version)
        server = ModelServer(store, "models:/HousePrices@production")
        try:
            status, answer = server.post(split)
            assert status == 200
            np.testing.assert_allclose(answer["predictions"], model.predict(sample), err_msg=f"v{version}")
        finally:
            server.stop()


def test_serve_refuses_what_it_cannot_serve(store, tmp_path):
    done = subprocess.run(
        [str(RTRACK), "models", "serve", "-m", "models:/Nothing@production", "-p", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(RTRACK_TRACKING_URI=store),
    )
    assert done.returncode == 1
    assert "Nothing" in done.stderr
    done = subprocess.run([str(RTRACK), "models", "serve", "-p", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--model-uri" in done.stderr
