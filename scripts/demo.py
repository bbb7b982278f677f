"""The rtrack demo: train small linear models by gradient descent on synthetic data, log
everything to the embedded store (./rtruns unless RTRACK_TRACKING_URI says otherwise),
then search the runs and print what was stored. scripts/demo.sh then serves the web UI."""

import time

import numpy as np

import rtrack
import rtrack.plots


def make_data(rows=2_000, features=8, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    true_weights = rng.normal(size=features)
    y = x @ true_weights + rng.normal(scale=0.5, size=rows)
    split = int(rows * 0.8)
    return x[:split], y[:split], x[split:], y[split:]


def train(x, y, x_val, y_val, learning_rate, l2, epochs):
    """Ridge regression by full-batch gradient descent; logs a point per epoch."""
    weights = np.zeros(x.shape[1])
    for epoch in range(epochs):
        residual = x @ weights - y
        gradient = x.T @ residual / len(y) + l2 * weights
        weights -= learning_rate * gradient
        train_rmse = float(np.sqrt(np.mean(residual**2)))
        val_rmse = float(np.sqrt(np.mean((x_val @ weights - y_val) ** 2)))
        rtrack.log_metrics({"train_rmse": train_rmse, "val_rmse": val_rmse}, step=epoch)
    return weights


def main():
    x, y, x_val, y_val = make_data()
    experiment = rtrack.set_experiment("demo-ridge")
    print(f"tracking to {rtrack.get_tracking_uri()} (experiment {experiment.name!r}, id {experiment.experiment_id})")

    started = time.perf_counter()
    with rtrack.start_run(run_name="grid-search", description="learning rate x L2 grid") as parent:
        for learning_rate in (0.01, 0.05, 0.2):
            for l2 in (0.0, 0.1):
                with rtrack.start_run(run_name=f"lr{learning_rate}-l2{l2}", nested=True):
                    rtrack.log_params({"learning_rate": learning_rate, "l2": l2, "epochs": 200})
                    weights = train(x, y, x_val, y_val, learning_rate, l2, epochs=200)
                    predictions = x_val @ weights
                    rtrack.log_metric("final_val_rmse", float(np.sqrt(np.mean((predictions - y_val) ** 2))))
                    rtrack.log_dict({"learning_rate": learning_rate, "l2": l2, "weights": weights.tolist()}, "model/config.yaml")
                    rtrack.log_table({"actual": y_val[:50], "predicted": predictions[:50]}, "predictions.json")
                    # A residual strip as an image: red where the model over-predicts, blue under.
                    residual = np.clip((predictions[:256] - y_val[:256]) / 4 + 0.5, 0, 1)
                    strip = np.stack([residual, np.zeros_like(residual), 1 - residual], axis=-1)
                    rtrack.log_image(np.repeat(strip[np.newaxis], 24, axis=0), "residuals.png")
                    # An interactive chart (plotly.js inlined), previewed by the UI in a sandbox.
                    rtrack.log_figure(rtrack.plots.prediction_scatter(y_val, predictions), "plots/predictions.html")
        # A long signal logged in one call: the array fast path.
        rtrack.log_metric_series("signal", np.sin(np.linspace(0, 60, 200_000)))
    elapsed = time.perf_counter() - started

    runs = rtrack.search_runs(
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        order_by=["metrics.final_val_rmse ASC"],
    )
    columns = ["tags.mlflow.runName", "params.learning_rate", "params.l2", "metrics.final_val_rmse", "status"]
    print(f"\nlogged 7 runs in {elapsed:.2f} s; child runs, best first:")
    print(runs[columns].to_string(index=False))
    best = runs.iloc[0]
    history = rtrack.get_metric_series(best["run_id"], "val_rmse")
    print(f"\nbest run {best['tags.mlflow.runName']}: val_rmse {history.values[0]:.3f} -> {history.values[-1]:.3f} over {len(history.values)} epochs")
    client = rtrack.Client()
    print("its artifacts:", ", ".join(f.path for f in client.list_artifacts(best["run_id"])))
    signal = rtrack.get_metric_series(parent.info.run_id, "signal")
    print(f"parent run holds a {len(signal.values):,}-point series; store: {rtrack.get_tracking_uri()}")


if __name__ == "__main__":
    main()
