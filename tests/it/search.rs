//! `search_runs` and `search_experiments` through the Tracker over a few dozen real runs, each
//! result checked against the same question asked of the test's own record of the data.

use std::collections::HashSet;

use crate::common::{invalid, new_store};
use rtrack::entities::ViewType;
use rtrack::store::{ExperimentSearch, RunSearch};
use rtrack::{ExperimentId, RunOptions, RunStatus, Tracker};
use tempfile::TempDir;

/// What the test logged to one run.
#[derive(Clone, Debug)]
struct Spec {
    id: String,
    name: String,
    model: &'static str,
    rate: String,
    rmse: Option<f64>,
    val_loss: Option<f64>,
    team: &'static str,
    status: RunStatus,
    deleted: bool,
}

struct Fixture {
    _dir: TempDir,
    tracker: Tracker,
    experiment: ExperimentId,
    other: ExperimentId,
    runs: Vec<Spec>,
}

const RUNS: usize = 36;

fn fixture() -> Fixture {
    let (dir, tracker) = new_store();
    let experiment = tracker.create_experiment("search", None, &[]).unwrap();
    let other = tracker.create_experiment("other", None, &[]).unwrap();
    let mut runs = Vec::new();
    for i in 0..RUNS {
        let spec = Spec {
            id: String::new(),
            name: format!("run-{i:02}"),
            model: ["enet", "ridge", "Lasso"][i % 3],
            rate: format!("0.{}", i % 4),
            // 7 is coprime with 36, so every rmse is distinct; every sixth run has none.
            rmse: (i % 6 != 5).then(|| ((i * 7) % RUNS) as f64 / 10.0),
            val_loss: (i % 2 == 0).then(|| i as f64 / 100.0),
            team: if i % 2 == 0 { "vision" } else { "nlp" },
            status: match i % 4 {
                0 => RunStatus::Failed,
                1 => RunStatus::Finished,
                _ => RunStatus::Running,
            },
            deleted: i % 12 == 10,
        };
        let options = RunOptions::default()
            .experiment(experiment)
            .name(spec.name.clone())
            .tag("team", spec.team);
        let id = tracker.create_run(options).unwrap().info.run_id;
        tracker
            .log_params(
                &id,
                &[
                    ("model".into(), spec.model.into()),
                    ("learning rate".into(), spec.rate.clone()),
                ],
            )
            .unwrap();
        if let Some(rmse) = spec.rmse {
            tracker.log_metric(&id, "rmse", rmse + 100.0, Some(0), None).unwrap(); // superseded below
            tracker.log_metric(&id, "rmse", rmse, Some(1), None).unwrap();
        }
        if let Some(loss) = spec.val_loss {
            tracker.log_metric(&id, "val loss", loss, None, None).unwrap();
        }
        if spec.status != RunStatus::Running {
            tracker.set_terminated(&id, spec.status, None).unwrap();
        }
        if spec.deleted {
            tracker.delete_run(&id).unwrap();
        }
        runs.push(Spec { id, ..spec });
    }
    for i in 0..4 {
        let id = tracker
            .create_run(RunOptions::default().experiment(other).name(format!("other-{i}")))
            .unwrap()
            .info
            .run_id;
        tracker.log_metric(&id, "rmse", 0.05, None, None).unwrap();
    }
    Fixture {
        _dir: dir,
        tracker,
        experiment,
        other,
        runs,
    }
}

impl Fixture {
    fn request(&self, filter: &str, order_by: &[&str]) -> RunSearch {
        RunSearch {
            experiment_ids: vec![self.experiment],
            filter: filter.to_string(),
            order_by: order_by.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn ids(&self, request: &RunSearch) -> Vec<String> {
        let page = self.tracker.search_runs(request).unwrap();
        assert!(page.next_page_token.is_none(), "everything fits one page here");
        page.items.into_iter().map(|run| run.info.run_id).collect()
    }

    /// Run ids matching `filter`, as a set, checked against `expected` over active runs.
    fn check(&self, filter: &str, expected: impl Fn(&Spec) -> bool) {
        let got: HashSet<String> = self.ids(&self.request(filter, &[])).into_iter().collect();
        let want: HashSet<String> = self
            .runs
            .iter()
            .filter(|s| !s.deleted && expected(s))
            .map(|s| s.id.clone())
            .collect();
        assert!(
            !want.is_empty(),
            "a filter that matches nothing proves little: {filter}"
        );
        assert_eq!(got, want, "filter: {filter}");
    }

    fn spec(&self, id: &str) -> &Spec {
        self.runs.iter().find(|s| s.id == id).unwrap()
    }
}

#[test]
fn filters_on_metrics_params_tags_and_attributes() {
    let f = fixture();
    f.check("", |_| true);
    f.check("metrics.rmse < 1.5", |s| s.rmse.is_some_and(|r| r < 1.5));
    f.check("metrics.rmse >= 2 AND tags.team = 'nlp'", |s| {
        s.rmse.is_some_and(|r| r >= 2.0) && s.team == "nlp"
    });
    f.check("metrics.rmse = 0.7", |s| s.rmse == Some(0.7));
    f.check("metrics.rmse != 0.7", |s| s.rmse.is_some_and(|r| r != 0.7));
    // Each rmse was first logged 100 higher at an earlier step: only the latest value counts.
    assert!(f.ids(&f.request("metrics.rmse > 50", &[])).is_empty());
    f.check("params.model = 'enet'", |s| s.model == "enet");
    f.check("params.model != 'enet'", |s| s.model != "enet");
    f.check("tags.team = 'vision' AND params.model = 'ridge'", |s| {
        s.team == "vision" && s.model == "ridge"
    });
    f.check("attributes.status = 'FAILED'", |s| s.status == RunStatus::Failed);
    f.check("status != 'RUNNING'", |s| s.status != RunStatus::Running);
    f.check("attributes.run_name = 'run-07'", |s| s.name == "run-07");
    f.check("attributes.start_time > 0", |_| true);
    f.check("attributes.end_time > 0", |s| s.status != RunStatus::Running); // running runs have none
}

#[test]
fn backquoted_keys_with_spaces_and_dots() {
    let f = fixture();
    f.check("metrics.`val loss` <= 0.1", |s| s.val_loss.is_some_and(|v| v <= 0.1));
    f.check("params.`learning rate` = '0.2'", |s| s.rate == "0.2");
    f.check("tags.`mlflow.runName` = 'run-03'", |s| s.name == "run-03");
    f.check("tags.\"mlflow.runName\" = 'run-04'", |s| s.name == "run-04");
    f.check("tags.mlflow.runName = 'run-05'", |s| s.name == "run-05");
}

#[test]
fn like_ilike_in_and_not_in() {
    let f = fixture();
    f.check("params.model LIKE 'L%'", |s| s.model == "Lasso");
    assert!(
        f.ids(&f.request("params.model LIKE 'l%'", &[])).is_empty(),
        "LIKE is case-sensitive"
    );
    f.check("params.model ILIKE 'l%'", |s| s.model == "Lasso");
    f.check("attributes.run_name LIKE 'run-1_'", |s| s.name.starts_with("run-1"));
    f.check("params.model IN ('enet', 'ridge')", |s| s.model != "Lasso");
    f.check("params.model NOT IN ('enet')", |s| s.model != "enet");
    f.check("tags.team IN ('nlp')", |s| s.team == "nlp");
    let picked: Vec<&Spec> = f.runs.iter().filter(|s| !s.deleted).step_by(5).collect();
    let list = picked
        .iter()
        .map(|s| format!("'{}'", s.id))
        .collect::<Vec<_>>()
        .join(", ");
    f.check(&format!("attributes.run_id IN ({list})"), |s| {
        picked.iter().any(|p| p.id == s.id)
    });
    f.check(&format!("attributes.run_id NOT IN ({list})"), |s| {
        picked.iter().all(|p| p.id != s.id)
    });
}

#[test]
fn order_by_a_metric_puts_missing_values_last_both_ways() {
    let f = fixture();
    for (clause, ascending) in [
        ("metrics.rmse", true),
        ("metrics.rmse ASC", true),
        ("metrics.rmse DESC", false),
    ] {
        let ids = f.ids(&f.request("", &[clause]));
        assert_eq!(ids.len(), RUNS - 3);
        let values: Vec<Option<f64>> = ids.iter().map(|id| f.spec(id).rmse).collect();
        let with_value = values.iter().take_while(|v| v.is_some()).count();
        assert!(
            values[with_value..].iter().all(Option::is_none),
            "{clause}: missing values come last: {values:?}"
        );
        let numbers: Vec<f64> = values[..with_value].iter().map(|v| v.unwrap()).collect();
        let mut sorted = numbers.clone();
        sorted.sort_by(|a, b| if ascending { a.total_cmp(b) } else { b.total_cmp(a) });
        assert_eq!(numbers, sorted, "{clause}");
        assert_eq!(
            with_value,
            f.runs.iter().filter(|s| !s.deleted && s.rmse.is_some()).count()
        );
    }
}

#[test]
fn order_by_params_and_attributes() {
    let f = fixture();
    let names: Vec<String> = f
        .ids(&f.request("", &["attributes.run_name DESC"]))
        .iter()
        .map(|id| f.spec(id).name.clone())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);

    let ids = f.ids(&f.request("", &["params.model ASC", "metrics.`val loss` DESC"]));
    let keys: Vec<(&str, Option<f64>)> = ids.iter().map(|id| (f.spec(id).model, f.spec(id).val_loss)).collect();
    // Byte order: 'L' < 'e' < 'r'.
    let models: Vec<&str> = keys.iter().map(|k| k.0).collect();
    let mut sorted_models = models.clone();
    sorted_models.sort();
    assert_eq!(models, sorted_models);
    for group in keys.chunk_by(|a, b| a.0 == b.0) {
        let losses: Vec<Option<f64>> = group.iter().map(|k| k.1).collect();
        let mut sorted = losses.clone();
        sorted.sort_by(|a, b| match (a, b) {
            (Some(a), Some(b)) => b.total_cmp(a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        assert_eq!(
            losses, sorted,
            "second key descending, missing last, within {:?}",
            group[0].0
        );
    }
}

#[test]
fn paging_covers_every_run_exactly_once() {
    let f = fixture();
    for order_by in [
        vec![],
        vec!["metrics.rmse DESC"],
        vec!["params.model", "tags.team DESC"],
    ] {
        let all = f.ids(&f.request("", &order_by));
        let mut paged = Vec::new();
        let mut request = RunSearch {
            max_results: 7,
            ..f.request("", &order_by)
        };
        let mut pages = 0;
        loop {
            let page = f.tracker.search_runs(&request).unwrap();
            assert!(page.items.len() <= 7);
            paged.extend(page.items.into_iter().map(|r| r.info.run_id));
            pages += 1;
            match page.next_page_token {
                Some(token) => request.page_token = Some(token),
                None => break,
            }
        }
        assert_eq!(pages, (RUNS - 3).div_ceil(7), "{order_by:?}");
        assert_eq!(paged, all, "pages in order make the whole result: {order_by:?}");
        assert_eq!(paged.iter().collect::<HashSet<_>>().len(), RUNS - 3);
    }
    let bad = RunSearch {
        page_token: Some("not-a-token".into()),
        ..f.request("", &[])
    };
    assert!(invalid(f.tracker.search_runs(&bad)).contains("not-a-token"));
    invalid(f.tracker.search_runs(&RunSearch {
        max_results: 0,
        ..f.request("", &[])
    }));
}

#[test]
fn view_types_and_experiment_ids_choose_the_runs() {
    let f = fixture();
    let count = |view, experiment_ids: Vec<ExperimentId>| {
        f.tracker
            .search_runs(&RunSearch {
                view,
                experiment_ids,
                ..Default::default()
            })
            .unwrap()
            .items
            .len()
    };
    assert_eq!(count(ViewType::ActiveOnly, vec![f.experiment]), RUNS - 3);
    assert_eq!(count(ViewType::DeletedOnly, vec![f.experiment]), 3);
    assert_eq!(count(ViewType::All, vec![f.experiment]), RUNS);
    assert_eq!(count(ViewType::All, vec![f.other]), 4);
    assert_eq!(count(ViewType::ActiveOnly, vec![f.experiment, f.other]), RUNS - 3 + 4);
    assert_eq!(count(ViewType::All, vec![]), 0, "no experiment ids, no runs");
    let deleted: HashSet<String> = f
        .tracker
        .search_runs(&RunSearch {
            view: ViewType::DeletedOnly,
            ..f.request("", &[])
        })
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.info.run_id)
        .collect();
    assert_eq!(
        deleted,
        f.runs.iter().filter(|s| s.deleted).map(|s| s.id.clone()).collect()
    );
    let both = RunSearch {
        experiment_ids: vec![f.experiment, f.other],
        ..f.request("metrics.rmse < 0.1", &[])
    };
    assert_eq!(
        f.ids(&both).len(),
        4 + f
            .runs
            .iter()
            .filter(|s| !s.deleted && s.rmse.is_some_and(|r| r < 0.1))
            .count()
    );
}

#[test]
fn malformed_filters_report_the_position_and_token() {
    let f = fixture();
    let message = invalid(f.tracker.search_runs(&f.request("metrics.rmse <> 1", &[])));
    assert!(message.contains("'<>'") && message.contains("position 14"), "{message}");
    for filter in [
        "metrics.rmse < 'abc'",
        "params.model = enet",
        "metrics.rmse < 1 OR metrics.rmse > 2",
        "metrics.rmse LIKE '%'",
        "unknown.key = 'x'",
        "params.model IN ()",
        "params.model = 'unterminated",
        "attributes.nope = 'x'",
    ] {
        let message = invalid(f.tracker.search_runs(&f.request(filter, &[])));
        assert!(message.contains("position"), "{filter}: {message}");
    }
    invalid(f.tracker.search_runs(&f.request("", &["metrics.rmse SIDEWAYS"])));
    invalid(
        f.tracker
            .search_runs(&f.request("", &["metrics.rmse", "metrics.rmse DESC"])),
    );
}

#[test]
fn search_experiments_filters_orders_and_pages() {
    let (_dir, tracker) = new_store();
    let team = |t: &str| vec![("team".to_string(), t.to_string())];
    for (name, t) in [
        ("exp-alpha", "nlp"),
        ("exp-Beta", "vision"),
        ("exp-gamma", "nlp"),
        ("misc", "nlp"),
    ] {
        tracker.create_experiment(name, None, &team(t)).unwrap();
    }
    let misc = tracker.get_experiment_by_name("misc").unwrap().unwrap().experiment_id;
    tracker.delete_experiment(misc).unwrap();
    let names = |filter: &str, order_by: &[&str], view| -> Vec<String> {
        let search = ExperimentSearch {
            filter: filter.into(),
            order_by: order_by.iter().map(|s| s.to_string()).collect(),
            view,
            ..Default::default()
        };
        tracker
            .search_experiments(&search)
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.name)
            .collect()
    };
    let active = ViewType::ActiveOnly;
    assert_eq!(
        names("name LIKE 'exp-%'", &["name"], active),
        ["exp-Beta", "exp-alpha", "exp-gamma"]
    );
    assert_eq!(names("name ILIKE '%beta%'", &[], active), ["exp-Beta"]);
    assert_eq!(
        names("tags.team = 'nlp'", &["name DESC"], active),
        ["exp-gamma", "exp-alpha"]
    );
    assert_eq!(
        names("tags.team = 'nlp'", &["name DESC"], ViewType::All),
        ["misc", "exp-gamma", "exp-alpha"]
    );
    assert_eq!(names("", &[], ViewType::DeletedOnly), ["misc"]);
    assert_eq!(
        names("", &["experiment_id ASC"], active),
        ["Default", "exp-alpha", "exp-Beta", "exp-gamma"]
    );

    let mut seen = Vec::new();
    let mut search = ExperimentSearch {
        max_results: 2,
        order_by: vec!["name".into()],
        ..Default::default()
    };
    loop {
        let page = tracker.search_experiments(&search).unwrap();
        seen.extend(page.items.into_iter().map(|e| e.name));
        match page.next_page_token {
            Some(token) => search.page_token = Some(token),
            None => break,
        }
    }
    assert_eq!(seen, ["Default", "exp-Beta", "exp-alpha", "exp-gamma"]);

    let message = invalid(tracker.search_experiments(&ExperimentSearch {
        filter: "metrics.x > 1".into(),
        ..Default::default()
    }));
    assert!(message.contains("position 1"), "{message}");
}
