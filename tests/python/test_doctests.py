"""Every docstring example of the package runs, as pydantic-core and polars run theirs.

One test per docstring that holds examples, named by its object's qualified name: the
docstrings of the Python modules (the standard ``doctest`` finder), of the compiled module's
functions and classes (written as Rust doc comments in rtrack-python/src; their classes say
``__module__ = "rtrack"``, so the finder skips them and they are walked here), and of its
stub ``_core.pyi``, which is what an editor shows. Each runs in a fresh interpreter-like
namespace holding only ``rtrack``, ``np`` and ``pd``, on a fresh store in a temporary folder
that is also the working directory: an example must define what it uses.

An example that cannot run here (it opens a browser, say) keeps ``# doctest: +SKIP``, with
its reason as a comment in front of the directive: ``>>> fig.show()  # opens a browser
# doctest: +SKIP``. A docstring whose every example is skipped is reported as a skipped test
with those reasons.
"""

import doctest
import importlib
import inspect
import io
import pkgutil
import re
import tempfile
from pathlib import Path

import pytest

import rtrack
from rtrack import _core

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Fewer docstrings with examples (or examples) than this means the collector lost some, not
# that the documentation shrank: lower them only together with the docstrings.
MIN_DOCSTRINGS = 50
MIN_EXAMPLES = 150

# Skipped examples in docstrings this repository's Python side cannot edit (the Rust doc
# comments of rtrack-python/src), with the reason; every other +SKIP says why in a comment.
KNOWN_SKIPS = {
    "rtrack._core.summary": "its Rust doc comment (rtrack-python/src/display.rs) marks it +SKIP: it names an "
    "experiment it does not create; rtrack._core.pyi:summary runs the same example",
}

# Packages some examples need beyond numpy and pandas, found by what the docstring mentions.
OPTIONAL = {
    "sklearn": re.compile(r"\bsklearn\b"),
    "plotly": re.compile(r"\bplotly\b|rtrack\.plots\b|\blog_figure\b"),
    "PIL": re.compile(r"\bPIL\b"),
}

_PARSER = doctest.DocTestParser()


def _core_objects():
    """The functions and classes defined by the compiled module, by identity."""
    return {id(obj) for obj in vars(_core).values() if inspect.isclass(obj) or inspect.isbuiltin(obj)}


class _PythonFinder(doctest.DocTestFinder):
    """The standard finder, leaving the compiled module's objects to ``_compiled_tests``:
    the package re-exports them, and their ``__module__`` is ``rtrack``."""

    def __init__(self):
        super().__init__(exclude_empty=True)
        self._core = _core_objects()

    def _from_module(self, module, object):
        return id(object) not in self._core and super()._from_module(module, object)


def _python_tests(module):
    return _PythonFinder().find(module, module.__name__, globs={})


def _compiled_tests():
    """The docstrings of ``rtrack._core``'s functions and classes and their members."""
    found = []

    def add(obj, name):
        text = obj.__doc__ if isinstance(getattr(obj, "__doc__", None), str) else None
        if text:
            found.append(_PARSER.get_doctest(inspect.cleandoc(text), {}, name, _core.__file__, None))

    for name, obj in sorted(vars(_core).items()):
        if inspect.isbuiltin(obj):
            add(obj, f"rtrack._core.{name}")
        elif inspect.isclass(obj) and id(obj) in _core_objects():
            # Exceptions inherit Exception's members; only the class's own docstring is rtrack's.
            if obj.__doc__ != Exception.__doc__:
                add(obj, f"rtrack._core.{name}")
            if issubclass(obj, BaseException):
                continue
            for member, raw in sorted(vars(obj).items()):
                if member.startswith("__"):
                    continue
                if isinstance(raw, (staticmethod, classmethod)):
                    raw = raw.__func__
                if inspect.isroutine(raw) or inspect.isdatadescriptor(raw):
                    add(raw, f"rtrack._core.{name}.{member}")
    return found


def _stub_tests():
    """The docstrings of the stub ``_core.pyi`` installed beside the compiled module."""
    import ast

    stub = Path(_core.__file__).with_name("_core.pyi")
    found = []

    def walk(nodes, prefix):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                text = ast.get_docstring(node)
                if text:
                    name = f"rtrack._core.pyi:{prefix}{node.name}"
                    found.append(_PARSER.get_doctest(text, {}, name, str(stub), node.body[0].lineno - 1))
                if isinstance(node, ast.ClassDef):
                    walk(node.body, f"{prefix}{node.name}.")

    walk(ast.parse(stub.read_text(encoding="utf-8")).body, "")
    return found


def _collect():
    tests = []
    unimportable = []
    for info in pkgutil.walk_packages(rtrack.__path__, "rtrack."):
        if info.name == "rtrack._core":
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError as error:  # rtrack._magics without IPython
            reason = f"{info.name} does not import here ({error}): its examples were not collected"
            unimportable.append(pytest.param(None, id=info.name, marks=pytest.mark.skip(reason=reason)))
            continue
        tests.extend(_python_tests(module))
    tests.extend(_python_tests(rtrack))
    tests.extend(_compiled_tests())
    tests.extend(_stub_tests())
    with_examples = sorted((t for t in tests if t.examples), key=lambda t: t.name)
    return with_examples, unimportable


DOCTESTS, UNIMPORTABLE = _collect()
PARAMS = [pytest.param(t, id=t.name) for t in DOCTESTS] + UNIMPORTABLE


_REASON = re.compile(r"#\s*([^#\n]*?)\s*#\s*doctest:")


def _skip_reasons(test):
    """Why each skipped example is skipped: the comment in front of its ``# doctest: +SKIP``,
    else the entry in ``KNOWN_SKIPS``; None for an example skipped without a reason."""
    reasons = []
    for example in test.examples:
        if example.options.get(doctest.SKIP):
            found = _REASON.search(example.source)
            reasons.append(found.group(1) if found else KNOWN_SKIPS.get(test.name))
    return reasons


def _end_active_runs():
    while rtrack.active_run() is not None:
        rtrack.end_run()


@pytest.fixture
def doctest_store(tmp_path, monkeypatch):
    """A fresh store as the tracking URI with the Default experiment active, in a temporary
    working directory (examples that save files save them there)."""
    monkeypatch.chdir(tmp_path)
    # Loading a model by URI makes a scratch folder that outlives the call: keep it in here.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _end_active_runs()
    rtrack.set_tracking_uri(str(tmp_path / "store"))
    rtrack.set_experiment(experiment_id="0")
    yield tmp_path
    _end_active_runs()
    rtrack.autolog(disable=True)
    rtrack.set_tracking_uri(None)


@pytest.mark.parametrize("test", PARAMS)
def test_docstring_examples(test, doctest_store):
    np = pytest.importorskip("numpy", reason="the examples' namespace holds numpy as np")
    pd = pytest.importorskip("pandas", reason="the examples' namespace holds pandas as pd")
    for package, mentioned in OPTIONAL.items():
        if mentioned.search(test.docstring or ""):
            pytest.importorskip(package, reason=f"{test.name}'s examples use {package}")
    test = doctest.DocTest(
        test.examples, {"rtrack": rtrack, "np": np, "pd": pd}, test.name, test.filename, test.lineno, test.docstring
    )
    reasons = _skip_reasons(test)
    assert None not in reasons, f"{test.name}: say why an example is skipped (# why  # doctest: +SKIP)"
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    result = runner.run(test, out=report.write)
    assert result.failed == 0, report.getvalue()
    if result.attempted == 0:
        pytest.skip("; ".join(reasons))


def test_the_collector_finds_the_examples():
    assert len(DOCTESTS) >= MIN_DOCSTRINGS, [t.name for t in DOCTESTS]
    assert sum(len(t.examples) for t in DOCTESTS) >= MIN_EXAMPLES
    names = {t.name for t in DOCTESTS}
    assert len(names) == len(DOCTESTS), "two docstrings under one name"
    # Each source of docstrings contributes: Python modules, the compiled module, its stub.
    assert any(name.startswith("rtrack._core.pyi:") for name in names)
    assert any(name.startswith("rtrack._core.") and ":" not in name for name in names)
    assert "rtrack.entities" in names and "rtrack._fluent.search_runs" in names
