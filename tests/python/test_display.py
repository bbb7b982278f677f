"""Notebook views: ``_repr_html_`` of runs, experiments, search results and metric
histories, the run-summary dashboard, and live charts."""

import time

import pytest

import rtrack
from helpers import run_python

XSS = "<script>alert(1)</script>"


def _row_of(html, run_name):
    """The table row (HTML) that names ``run_name``."""
    rows = [row for row in html.split("<tr>") if f">{run_name}</td>" in row or f"</span> {run_name}</td>" in row]
    assert len(rows) == 1, f"{len(rows)} rows name {run_name!r}"
    return rows[0]


def test_a_run_shows_its_params_metrics_and_tags_with_names_escaped(store):
    with rtrack.start_run(run_name=XSS, tags={"team": "<vision>"}) as active:
        rtrack.log_param("alpha", "<0.5>")
        rtrack.log_metric("rmse", 0.712345, step=3)
    run = rtrack.get_run(active.info.run_id)
    html = run._repr_html_()
    assert XSS not in html and "<vision>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>alpha</td><td>&lt;0.5&gt;</td>" in html
    assert 'title="0.712345">0.7123</td>' in html
    assert "&lt;vision&gt;" in html
    assert '<span class="rtrack-status FINISHED">FINISHED</span>' in html
    # The handle start_run gave shows the run as stored now.
    assert active._repr_html_() == html


def test_an_experiment_shows_its_name_id_and_tags(store):
    experiment_id = rtrack.create_experiment("wine & <cheese>", tags={"owner": "ada"})
    html = rtrack.get_experiment(experiment_id)._repr_html_()
    assert f'Experiment wine &amp; &lt;cheese&gt; <span class="muted">id {experiment_id}</span>' in html
    assert "<td>owner</td><td>ada</td>" in html


def test_search_results_show_as_a_table_of_runs(store, client):
    for alpha, rmse in [(0.1, 0.8), (0.5, 0.7)]:
        with rtrack.start_run(run_name=f"enet-{alpha}"):
            rtrack.log_param("alpha", alpha)
            rtrack.log_metric("rmse", rmse)
    runs = rtrack.search_runs(output_format="list", order_by=["metrics.rmse"])
    assert isinstance(runs, list) and isinstance(runs, rtrack.ResultList)
    html = runs._repr_html_()
    assert "2 runs" in html
    assert "<th>alpha</th>" in html and "<th>rmse</th>" in html
    assert '<td>0.5</td><td class="num" title="0.7">0.7</td>' in _row_of(html, "enet-0.5")
    page = client.search_runs(["0"], max_results=1)
    assert page.token is not None and "1 run</div>" in page._repr_html_()
    experiments = client.search_experiments()
    assert "<td>Default</td>" in experiments._repr_html_()
    # Nothing to tabulate: IPython falls back to the plain repr.
    assert rtrack.ResultList([])._repr_html_() is None
    assert rtrack.ResultList([1, "two"])._repr_html_() is None


def test_a_metric_history_shows_a_chart_and_its_points(store, client):
    with rtrack.start_run() as run:
        for step in range(30):
            rtrack.log_metric("val loss", 1 / (step + 1), step=step)
    history = rtrack.get_metric_history(run.info.run_id, "val loss")
    assert [point.step for point in history] == list(range(30))
    html = history._repr_html_()
    assert 'val loss <span class="muted">30 points</span>' in html
    assert "<svg" in html and "… 10 more" in html
    assert client.get_metric_history(run.info.run_id, "val loss")._repr_html_() == html


def _two_experiments():
    rtrack.set_experiment("wine-quality")
    for name, alpha, rmse, accuracy in [("enet-worse", 0.1, 0.8, 0.9), ("enet-better", 0.5, 0.6, 0.7)]:
        with rtrack.start_run(run_name=name):
            rtrack.log_params({"alpha": alpha, "l1_ratio": 0.5})
            for epoch in range(5):
                rtrack.log_metric("rmse", rmse + 0.1 / (epoch + 1), step=epoch)
            rtrack.log_metric("accuracy", accuracy)
    rtrack.set_experiment("turbines")
    with rtrack.start_run(run_name="forest"):
        rtrack.log_metric("f1_score", 0.75)


def test_the_summary_names_every_experiment_run_and_metric_and_stars_the_best(store):
    _two_experiments()
    summary = rtrack.summary()
    assert summary.experiment_names[:2] == ["turbines", "wine-quality"], "most recently active first"
    html = summary._repr_html_()
    for name in [
        "wine-quality",
        "turbines",
        "enet-worse",
        "enet-better",
        "forest",
        "rmse",
        "accuracy",
        "f1_score",
        "alpha",
    ]:
        assert name in html, name
    better, worse = _row_of(html, "enet-better"), _row_of(html, "enet-worse")
    # rmse: lower is better; accuracy: higher is better.
    assert 'title="best rmse"' in better and 'title="best rmse"' not in worse
    assert 'title="best accuracy"' in worse and 'title="best accuracy"' not in better
    assert "<svg" in better, "the rmse history is drawn"
    assert "lowest for losses" in html
    assert "No runs yet: Default." in html


def test_the_summary_of_one_experiment_by_name_or_id(store):
    _two_experiments()
    one = rtrack.summary("turbines")
    assert one.experiment_names == ["turbines"]
    assert "forest" in one._repr_html_() and "enet-better" not in one._repr_html_()
    experiment = rtrack.get_experiment_by_name("wine-quality")
    assert rtrack.summary(experiment.experiment_id).experiment_names == ["wine-quality"]
    assert rtrack.summary(experiment).experiment_names == ["wine-quality"]
    with pytest.raises(rtrack.NotFoundError, match="No experiment named 'nope'"):
        rtrack.summary("nope")


def test_the_summary_escapes_what_users_named(store):
    rtrack.set_experiment("<b>bold</b>")
    with rtrack.start_run(run_name=XSS):
        rtrack.log_param("p", "<v>")
        rtrack.log_metric("m", 1.0)
    html = rtrack.summary()._repr_html_()
    for raw in [XSS, "<b>bold</b>", "<v>"]:
        assert raw not in html, raw
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<td>&lt;v&gt;</td>" in html


def test_live_outside_a_notebook_draws_nothing_and_starts_no_thread(tmp_path):
    out = run_python(
        f"""
        import sys, threading
        import rtrack
        rtrack.set_tracking_uri({str(tmp_path / "store")!r})
        with rtrack.start_run(), rtrack.live(["loss"]) as chart:
            for step in range(5):
                rtrack.log_metric("loss", 1 / (step + 1), step=step)
        plain = rtrack.live("loss")
        plain.stop()
        print(chart.active, plain.active, threading.active_count(), "IPython" in sys.modules, chart.points("loss"))
        """
    ).stdout.split()
    assert out == ["False", "False", "1", "False", "0"]


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def _html_updates(captured):
    return [(output.update, output.data["text/html"]) for output in captured.outputs if "text/html" in output.data]


def test_a_live_chart_redraws_through_one_display_handle_a_few_times_a_second(store, shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        with rtrack.start_run() as run, rtrack.live(["loss", "val_loss"], interval=0.2) as chart:
            assert chart.active
            started = time.monotonic()
            step = 0
            while time.monotonic() - started < 0.7:
                rtrack.log_metrics({"loss": 1 / (step + 1), "val_loss": 1.2 / (step + 1)}, step=step)
                step += 1
                time.sleep(0.005)
    assert not chart.active and chart.error is None
    outputs = [output for output in captured.outputs if "text/html" in output.data]
    display_ids = {output.transient["display_id"] for output in outputs}
    assert len(display_ids) == 1, "one display, updated in place"
    first, updates = outputs[0], outputs[1:]
    assert not first.update and all(output.update for output in updates)
    assert "no points yet" in first.data["text/html"] or "Waiting" in first.data["text/html"]
    # Redrawn while the loop ran, then once more at the end; never more than every 0.2 s.
    assert 2 <= len(updates) <= 0.7 / 0.2 + 2, len(updates)
    final = updates[-1].data["text/html"]
    assert final.count(f"({step} points)") == 2, final[-800:]
    assert "val_loss" in final and run.info.run_id in final
    assert chart.points("loss") == step


def _live_outputs(captured):
    return [output for output in captured.outputs if "text/html" in output.data]


def test_start_run_live_draws_its_run_and_stops_when_the_block_ends(store, shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        with rtrack.start_run(run_name="watched", live=["loss", "val_loss"]) as run:
            chart = run.live
            assert isinstance(chart, rtrack.Live) and chart.active
            assert (chart.keys, chart.interval, chart.run_id) == (["loss", "val_loss"], 0.25, run.info.run_id)
            started, step = time.monotonic(), 0
            while time.monotonic() - started < 0.8:
                rtrack.log_metrics({"loss": 1 / (step + 1), "val_loss": 1.2 / (step + 1)}, step=step)
                step += 1
                time.sleep(0.005)
        assert not chart.active, "stopped with the run's block, before the cell ends"
    assert run.info.status == "FINISHED" and chart.error is None
    outputs = _live_outputs(captured)
    assert len({output.transient["display_id"] for output in outputs}) == 1, "one display, updated in place"
    # The same throttling as rtrack.live: never more than one redraw per 0.25 s, plus the last.
    assert 2 <= len(outputs) - 1 <= 0.8 / 0.25 + 2, len(outputs)
    final = outputs[-1].data["text/html"]
    assert final.count(f"({step} points)") == 2 and run.info.run_id in final, final[-800:]
    assert "<iframe" not in final and "<script" not in final and "127.0.0.1" not in final


def test_start_run_live_true_follows_every_metric_of_its_own_run(store, shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        with rtrack.start_run(run_name="outer"):
            rtrack.log_metric("outer_only", 1.0)
            with rtrack.start_run(run_name="inner", nested=True, live=True) as inner:
                for step in range(5):
                    rtrack.log_metrics({"accuracy": step / 10, "loss": 1 / (step + 1)}, step=step)
            assert rtrack.active_run().live is None, "a run without live= has no chart"
    final = _live_outputs(captured)[-1].data["text/html"]
    assert "accuracy 0.4 (5 points)" in final and "loss 0.2 (5 points)" in final, final[-800:]
    assert "outer_only" not in final and inner.info.run_id in final
    assert inner.live.keys is None and not inner.live.active


def test_a_failing_block_ends_its_live_run_failed_with_the_last_points_drawn(store, shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured, pytest.raises(ZeroDivisionError):
        with rtrack.start_run(live="loss") as run:
            for step in range(3):
                rtrack.log_metric("loss", 1 / (2 - step), step=step)
    assert run.info.status == "FAILED" and not run.live.active
    assert "(2 points)" in _live_outputs(captured)[-1].data["text/html"], "both points logged before the error"


@pytest.mark.parametrize("wrong", [42, [], [1, 2], {"loss": 1}])
def test_a_wrong_live_value_is_refused_and_starts_no_run(store, wrong):
    with pytest.raises(rtrack.InvalidValueError, match=r"Invalid live=.*use True, a metric name or a list"):
        rtrack.start_run(run_name="refused", live=wrong)
    assert rtrack.active_run() is None
    assert rtrack.search_runs(output_format="list") == []


def test_start_run_live_outside_a_notebook_draws_nothing_and_starts_no_thread(tmp_path):
    out = run_python(
        f"""
        import sys, threading
        import rtrack
        rtrack.set_tracking_uri({str(tmp_path / "store")!r})
        with rtrack.start_run(live=True) as run:
            rtrack.log_metric("loss", 0.5)
            active = run.live.active
        print(active, run.live.active, threading.active_count(), "IPython" in sys.modules, run.info.status)
        """
    ).stdout.split()
    assert out == ["False", "False", "1", "False", "FINISHED"]
