"""The web UI in a real browser: Debian's chromium, headless, driven through chromedriver,
against `rtrack ui` started from the console script on a store logged by rtrack itself.

Checks what a user sees on each page; screenshots are kept in target/ui-screenshots/.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

# scripts/install_browser.sh (run by scripts/test.sh) installs selenium and the browser.
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from helpers import clean_env

# The command under test: the venv's console script, or another build named by RTRACK_BIN.
RTRACK = Path(os.environ.get("RTRACK_BIN") or Path(sys.executable).with_name("rtrack"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "target" / "ui-screenshots"
HOSTILE_NAME = "<script>alert('owned')</script><img src=x onerror=alert(2)>"

# A store like a user's: two experiments, runs with params, metric histories, artifacts
# of every previewable kind (one an HTML file that tries to reach the UI), a run with a
# million-point history, and a registered model with an alias.
POPULATE = r"""
import json, sys
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
import rtrack
import rtrack.sklearn

ids = {}
houses = rtrack.set_experiment("house-prices")
rtrack.Client().set_experiment_tag(houses.experiment_id, "owner", "<b>pricing</b>")
for i, (model, alpha) in enumerate([("ridge", 0.1), ("ridge", 1.0), ("lasso", 0.01)]):
    with rtrack.start_run(run_name=f"{model}-{alpha}", description="Baseline run" if i == 0 else None) as run:
        rtrack.log_params({"model": model, "alpha": alpha})
        steps = np.arange(300)
        rtrack.log_metric_series("loss", np.exp(-steps / (50 + 25 * i)) + 0.1 * i)
        rtrack.log_metric_series("val_loss", np.exp(-steps / (50 + 25 * i)) + 0.12 * i + 0.02)
        rtrack.log_metrics({"rmse": 0.5 + 0.1 * i, "r2": 0.9 - 0.05 * i})
        rtrack.set_tag("team", "pricing")
        rtrack.log_text("first line\n<b>not bold</b>", "notes/readme.txt")
        rtrack.log_dict({"alpha": alpha, "model": model}, "config.json")
        rtrack.log_text('city,price\nOslo,"1,200"\nBergen,900\n', "data/prices.csv")
        rtrack.log_image(np.full((24, 40, 3), 200, dtype=np.uint8), "images/flat.png")
        rtrack.log_text(
            "<html><body><p id=out>figure</p><script>"
            "try { parent.document.title = 'owned'; document.getElementById('out').textContent = 'reached the UI'; }"
            " catch (e) { document.getElementById('out').textContent = 'blocked: ' + e.name; }"
            "</script></body></html>",
            "plots/figure.html",
        )
        if model == "ridge":
            houses = pd.DataFrame({"rooms": [2.0, 3.0, 4.0, 5.0], "city": [0, 1, 0, 1]})
            ridge = Ridge(alpha=alpha).fit(houses, [100.0, 150.0, 190.0, 260.0])
            rtrack.sklearn.log_model(ridge, "model", input_example=houses.head(2))
        ids[f"{model}-{alpha}"] = run.info.run_id
with rtrack.start_run(run_name=sys.argv[1]) as run:
    rtrack.log_param("model", sys.argv[1])
    rtrack.log_metric("rmse", 0.95)
    ids["hostile"] = run.info.run_id

rtrack.set_experiment("long-history")
with rtrack.start_run(run_name="million-points") as run:
    values = np.sin(np.arange(1_000_000) / 20_000.0)
    values[654_321] = 25.0
    rtrack.log_metric_series("signal", values)
    ids["long"] = run.info.run_id

rtrack.set_experiment("many-runs")
for i in range(130):
    with rtrack.start_run(run_name=f"trial-{i:03d}"):
        rtrack.log_metric("score", float(i))

client = rtrack.Client()
rtrack.register_model(f"runs:/{ids['ridge-0.1']}/model", "HousePrices")
rtrack.register_model(f"runs:/{ids['ridge-1.0']}/model", "HousePrices")
client.set_registered_model_alias("HousePrices", "production", 1)
print(json.dumps(ids))
"""


def browser_path(name):
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None:
        pytest.fail(f"{name} is not installed: scripts/test.sh installs Debian's chromium and chromium-driver")
    return found


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """`rtrack ui` on a populated store; yields (base URL, run ids)."""
    store = tmp_path_factory.mktemp("ui") / "store"
    env = clean_env()
    env["RTRACK_TRACKING_URI"] = str(store)
    done = subprocess.run(
        [sys.executable, "-c", POPULATE, HOSTILE_NAME], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    ids = json.loads(done.stdout.strip().splitlines()[-1])
    process = subprocess.Popen(
        [str(RTRACK), "ui", "--backend-store-uri", str(store), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    first_line = process.stdout.readline()
    assert "rtrack UI at http://" in first_line, first_line + process.stderr.read()
    url = first_line.split(" at ")[1].split()[0].rstrip("/")
    ids["store"] = str(store)
    yield url, ids
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)


@pytest.fixture(scope="module")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path("chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1600"]:
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=browser_path("chromedriver"))
    chrome = webdriver.Chrome(service=service, options=options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield chrome
    chrome.quit()


def open_page(driver, url, ready_css):
    driver.get(url)
    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ready_css))


def wait_for(driver, condition, timeout=20):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def no_alert(driver):
    try:
        driver.switch_to.alert  # noqa: B018 - reading it raises when no alert is open
    except NoAlertPresentException:
        return True
    return False


COLUMN_TEXTS = """
const [tableId, header] = arguments;
const table = document.getElementById(tableId);
if (!table) return null;
const names = [...table.querySelectorAll("thead th")].map(
  (th) => th.innerText.split("\\n").pop().replace(/ [↑↓]$/, ""));
const index = names.indexOf(header);
if (index < 0) return null;
return [...table.querySelectorAll("tbody tr")].map((row) => row.children[index].innerText);
"""


def table_column(driver, table_id, header):
    """The texts of one column, read in one step (the table may be redrawn meanwhile)."""
    return driver.execute_script(COLUMN_TEXTS, table_id, header)


def test_experiments_are_listed_with_run_counts_and_link_to_their_runs(ui, driver):
    url, _ = ui
    links = open_page(driver, url + "/", "a.experiment-link")
    names = [link.text for link in links]
    assert {"house-prices", "long-history", "many-runs", "Default"} <= set(names)
    counts = dict(zip(table_column(driver, "experiments", "Name"), table_column(driver, "experiments", "Runs")))
    assert counts["house-prices"] == "4" and counts["many-runs"] == "130"
    shot(driver, "experiments")
    next(link for link in links if link.text == "house-prices").click()
    rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#runs a.run-link"))
    assert {row.text for row in rows} == {"ridge-0.1", "ridge-1.0", "lasso-0.01", HOSTILE_NAME}


def test_the_runs_table_shows_params_and_metrics_and_stored_markup_as_text(ui, driver):
    url, ids = ui
    open_page(driver, url + "/#/experiments/1", "#runs a.run-link")
    names = table_column(driver, "runs", "Run name")
    rmse = dict(zip(names, table_column(driver, "runs", "rmse")))
    assert rmse == {"ridge-0.1": "0.5", "ridge-1.0": "0.6", "lasso-0.01": "0.7", HOSTILE_NAME: "0.95"}
    models = dict(zip(names, table_column(driver, "runs", "model")))
    assert models[HOSTILE_NAME] == HOSTILE_NAME, "the stored name is shown as text, not run"
    assert set(table_column(driver, "runs", "Status")) == {"FINISHED"}
    assert all(table_column(driver, "runs", "Source"))
    assert no_alert(driver) and driver.title == "house-prices · rtrack"
    assert "owner: <b>pricing</b>" in driver.find_element(By.CSS_SELECTOR, ".experiment-meta").text
    assert not driver.find_elements(By.CSS_SELECTOR, "#runs img"), "no element was made from stored text"
    shot(driver, "runs-table")


def test_the_filter_box_searches_on_the_server_and_shows_mistakes_inline(ui, driver):
    url, _ = ui
    open_page(driver, url + "/#/experiments/1", "#runs a.run-link")
    box = driver.find_element(By.CSS_SELECTOR, "input.filter")
    box.send_keys("metrics.rmse < 0.65 and params.model = 'ridge'", Keys.ENTER)
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs a.run-link")) == 2)
    assert sorted(table_column(driver, "runs", "Run name")) == ["ridge-0.1", "ridge-1.0"]
    box = driver.find_element(By.CSS_SELECTOR, "input.filter")
    box.clear()
    box.send_keys("metrics.rmse <> 1", Keys.ENTER)
    error = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"))[0]
    assert "Invalid filter" in error.text and "position" in error.text
    shot(driver, "filter-error")


def test_clicking_a_column_header_sorts_by_it_on_the_server(ui, driver):
    url, _ = ui
    open_page(driver, url + "/#/experiments/1", "#runs a.run-link")
    header = next(th for th in driver.find_elements(By.CSS_SELECTOR, "#runs th.sortable") if th.text.endswith("rmse"))
    header.click()
    wait_for(driver, lambda d: "order=" in d.current_url and d.find_elements(By.CSS_SELECTOR, "#runs a.run-link"))
    wait_for(driver, lambda d: table_column(d, "runs", "rmse") == ["0.5", "0.6", "0.7", "0.95"])
    next(th for th in driver.find_elements(By.CSS_SELECTOR, "#runs th.sortable") if "rmse" in th.text).click()
    wait_for(driver, lambda d: table_column(d, "runs", "rmse") == ["0.95", "0.7", "0.6", "0.5"])


def test_pages_of_runs_come_from_the_server(ui, driver):
    url, _ = ui
    open_page(driver, url + "/#/experiments/3", "#runs a.run-link")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#runs a.run-link")) == 100
    assert "of 130 runs" in driver.find_element(By.CSS_SELECTOR, ".pager").text
    first_page = set(table_column(driver, "runs", "Run name"))
    driver.find_element(By.XPATH, "//button[contains(., 'Next')]").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs a.run-link")) == 30)
    assert not first_page & set(table_column(driver, "runs", "Run name"))
    driver.find_element(By.XPATH, "//button[contains(., 'Previous')]").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs a.run-link")) == 100)


def test_the_run_page_shows_info_params_metrics_tags_and_charts(ui, driver):
    url, ids = ui
    open_page(driver, f"{url}/#/runs/{ids['ridge-0.1']}", "#charts .js-plotly-plot")
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("ridge-0.1")
    assert driver.find_element(By.ID, "description").text == "Baseline run"
    assert "alpha 0.1" in driver.find_element(By.ID, "params").text
    assert "rmse 0.5" in driver.find_element(By.ID, "metrics").text
    assert "team pricing" in driver.find_element(By.ID, "tags").text
    wait_for(
        driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#charts .js-plotly-plot .scatterlayer .trace")) == 2
    )
    charts = driver.find_elements(By.CSS_SELECTOR, "#charts .chart")
    assert sorted(c.get_attribute("data-keys") for c in charts) == ["loss", "val_loss"], (
        "one-value metrics get no chart"
    )
    drawn = driver.execute_script("return document.querySelector('#charts .chart').data[0].x.length")
    assert drawn == 300

    # Overlay both metrics in one chart, then plot them against time since the run started.
    for box in driver.find_elements(By.CSS_SELECTOR, "input.overlay-key"):
        if box.get_attribute("value") in ("loss", "val_loss"):
            box.click()
    wait_for(
        driver,
        lambda d: (
            [c.get_attribute("data-keys") for c in d.find_elements(By.CSS_SELECTOR, "#charts .chart")]
            == ["loss,val_loss"]
        ),
    )
    driver.find_element(By.CSS_SELECTOR, "select.x-axis").send_keys("Relative")
    wait_for(driver, lambda d: "Relative time" in d.find_element(By.CSS_SELECTOR, "#charts .xtitle").text)
    traces = driver.execute_script("return document.querySelector('#charts .chart').data.map(t => t.name)")
    assert traces == ["loss", "val_loss"]
    shot(driver, "run-page")


def test_the_artifact_browser_previews_each_kind_and_sandboxes_html(ui, driver):
    url, ids = ui
    open_page(driver, f"{url}/#/runs/{ids['ridge-0.1']}", "#artifacts .tree span")

    def choose(folder, file):
        if folder:
            wait_for(
                driver, lambda d: d.find_element(By.CSS_SELECTOR, f"#artifacts span[data-path='{folder}']")
            ).click()
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#artifacts span[data-path='{file}']"))[0].click()

    choose("notes", "notes/readme.txt")
    pre = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#artifacts .preview pre"))[0]
    assert pre.text == "first line\n<b>not bold</b>"
    download = driver.find_element(By.CSS_SELECTOR, "#artifacts a.download").get_attribute("href")
    assert "download=1" in download

    choose(None, "config.json")
    wait_for(driver, lambda d: '"alpha": 0.1' in d.find_element(By.CSS_SELECTOR, "#artifacts .preview pre").text)

    choose("data", "data/prices.csv")
    cells = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#artifacts table.csv td"))
    assert [c.text for c in cells] == ["Oslo", "1,200", "Bergen", "900"]

    choose("images", "images/flat.png")
    image = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#artifacts .preview img"))[0]
    wait_for(driver, lambda d: d.execute_script("return arguments[0].naturalWidth", image) == 40)

    choose("plots", "plots/figure.html")
    frame = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#artifacts iframe.html-artifact"))[0]
    assert frame.get_attribute("sandbox") == "allow-scripts"
    driver.switch_to.frame(frame)
    outcome = wait_for(
        driver, lambda d: d.find_element(By.ID, "out").text if d.find_element(By.ID, "out").text != "figure" else None
    )
    origin = driver.execute_script("return String(self.origin)")
    driver.switch_to.default_content()
    assert outcome.startswith("blocked"), "the artifact's script ran, but could not reach the UI"
    assert origin == "null", "the artifact runs in an opaque origin, not the UI's"
    assert driver.title == "ridge-0.1 · rtrack"
    shot(driver, "artifacts-html")


def test_a_million_point_history_is_drawn_thinned_and_zooming_fetches_detail(ui, driver):
    url, ids = ui
    open_page(driver, f"{url}/#/runs/{ids['long']}", "#charts .js-plotly-plot .scatterlayer .trace")
    note = driver.find_element(By.CSS_SELECTOR, "#charts .note").text
    assert "1,000,000 points" in note and "zoom in" in note
    ys = driver.execute_script("return document.querySelector('#charts .chart').data[0].y")
    assert len(ys) <= 4000 and 25.0 in ys, "the spike is kept among the thinned points"
    driver.execute_script(
        "Plotly.relayout(document.querySelector('#charts .chart'), {'xaxis.range': [654300, 654340]})"
    )
    wait_for(
        driver, lambda d: d.execute_script("return document.querySelector('#charts .chart').data[0].x.length") == 41
    )
    xs = driver.execute_script("return document.querySelector('#charts .chart').data[0].x")
    assert xs[0] == 654300 and xs[-1] == 654340
    shot(driver, "long-history-zoomed")


def test_the_compare_view_shows_differences_and_four_kinds_of_chart(ui, driver):
    url, ids = ui
    open_page(driver, url + "/#/experiments/1", "#runs a.run-link")
    for row in driver.find_elements(By.CSS_SELECTOR, "#runs tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "a.run-link").text in ("ridge-0.1", "lasso-0.01"):
            row.find_element(By.CSS_SELECTOR, "input.select-run").click()
    button = driver.find_element(By.XPATH, "//button[contains(., 'Compare 2 runs')]")
    button.click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#compare-table tbody tr"))
    rows = {
        r.find_element(By.TAG_NAME, "th").text: r
        for r in driver.find_elements(By.CSS_SELECTOR, "#compare-table tbody tr")
    }
    assert "diff" in rows["alpha"].get_attribute("class") and "diff" in rows["rmse"].get_attribute("class")
    assert "diff" not in (rows["Status"].get_attribute("class") or "")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#parallel-coordinates .parcoords"))
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#scatter .scatterlayer .point")) == 2)
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#metric-bars .js-plotly-plot")) == 4)
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#compare-history .js-plotly-plot")) == 2)
    histories = [c.get_attribute("data-keys") for c in driver.find_elements(By.CSS_SELECTOR, "#compare-history .chart")]
    assert sorted(histories) == ["loss", "val_loss"], "histories of more than one point are overlaid per metric"
    legend = driver.execute_script("return document.querySelector('#compare-history .chart').data.map(t => t.name)")
    assert sorted(legend) == ["lasso-0.01", "ridge-0.1"], "one line per run, overlaid"
    shot(driver, "compare")


def test_the_registry_pages_show_versions_aliases_and_source_runs(ui, driver):
    url, ids = ui
    link = open_page(driver, url + "/#/models", "a.model-link")[0]
    assert link.text == "HousePrices"
    assert "@production → v1" in driver.find_element(By.ID, "models").text
    link.click()
    versions = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#versions a.version-link"))
    assert [v.text for v in versions] == ["Version 2", "Version 1"]
    runs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#versions a.source-run")]
    assert runs[1].endswith(f"#/runs/{ids['ridge-0.1']}")
    shot(driver, "model")
    versions[1].click()
    signature = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#signature table"))[0]
    assert "rooms double" in signature.text and "city long" in signature.text, signature.text
    example = driver.find_element(By.ID, "input-example").text
    assert "rooms city" in example and "2 0" in example.replace(".0", ""), example
    assert "@production" in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.find_element(By.CSS_SELECTOR, "a.source-run").text == ids["ridge-0.1"]
    shot(driver, "model-version")


def test_the_ui_loads_nothing_from_other_origins(ui, driver):
    url, _ = ui
    open_page(driver, url + "/", "a.experiment-link")
    sources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert sources and all(source.startswith(url) for source in sources), sources
    assert any("/static/plotly-" in source for source in sources)


def test_the_page_of_a_running_run_follows_what_another_process_logs(ui, driver):
    url, ids = ui
    import rtrack

    client = rtrack.Client(ids["store"])
    run = client.create_run(experiment_id="2", run_name="still-training")
    # Opened before anything is logged: the page notices the first metric by itself.
    open_page(driver, f"{url}/#/runs/{run.info.run_id}", "#artifacts")
    for step in range(5):
        client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#charts .js-plotly-plot .scatterlayer .trace"))
    assert "refresh every 3 s" in driver.find_element(By.CSS_SELECTOR, "#charts .live-note").text
    points = "return document.querySelector('#charts .chart').data[0].x.length"
    assert driver.execute_script(points) == 5
    for step in range(5, 12):
        client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
    wait_for(driver, lambda d: d.execute_script(points) == 12)
    client.set_terminated(run.info.run_id)
    wait_for(driver, lambda d: "FINISHED" in d.find_element(By.TAG_NAME, "h1").text)
    assert not driver.find_elements(By.CSS_SELECTOR, "#charts .live-note"), "a finished run's charts stop refreshing"


FORGED_FORM = """<!doctype html><html><body>
<form id="forged" method="POST" enctype="text/plain" action="{action}">
<input type="hidden" name='{{"name": "{name}", "x": "' value='"}}'>
</form>
<script>document.getElementById("forged").submit();</script>
</body></html>"""


def test_a_form_on_another_site_cannot_write_to_the_server(ui, tmp_path):
    """Cross-site request forgery: a page on another origin posts a text/plain form whose
    body is valid JSON; the server refuses it and creates nothing."""
    import http.server
    import threading

    url, ids = ui
    name = "forged-by-another-site"
    (tmp_path / "attack.html").write_text(
        FORGED_FORM.format(action=f"{url}/api/2.0/mlflow/experiments/create", name=name)
    )
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(tmp_path))  # noqa: E731
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path("chromium")
    # evil.test is another site to the browser, though it is served from this machine.
    for argument in [
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP evil.test 127.0.0.1",
    ]:
        options.add_argument(argument)
    chrome = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=browser_path("chromedriver")), options=options
    )
    try:
        chrome.get(f"http://evil.test:{attacker.server_address[1]}/attack.html")
        wait_for(chrome, lambda d: "/api/2.0/mlflow/experiments/create" in d.current_url)
        wait_for(chrome, lambda d: "Cross-origin request blocked" in d.page_source)
    finally:
        chrome.quit()
        attacker.shutdown()
    import rtrack

    names = [e.name for e in rtrack.Client(ids["store"]).search_experiments()]
    assert name not in names, names
