"""The output formats for CI dashboards, each read by its published schema or a real consumer.

SARIF 2.1.0 against the OASIS schema (vendored, see tests/schemas/README.md),
GitLab Code Quality against the fields GitLab documents as required, JUnit
through junitparser (the reader CI result publishers use), JSON lines line by
line. Every run is the real command line on a scratch tree.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import run_cli as run

from flake8_dropout import __version__
from flake8_dropout.dashboards import format_gitlab, format_junit, format_sarif
from flake8_dropout.report import Reported
from flake8_dropout.rule_docs import RULES

SCHEMAS = Path(__file__).parent / "schemas"
HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
# Two identical findings in one file (GitLab fingerprints must still differ), one of each code.
TWICE = (
    HEADER + "class M(nn.Module):\n    def forward(self, x):\n"
    "        x = F.dropout(x)\n"
    "        return F.dropout(x)\n"
)
MIXED = (
    HEADER + "class L(nn.Module):\n    def forward(self, x, training):\n"
    "        x = F.dropout(x, training=True)\n"
    "        return F.dropout(x, training=training)\n"
)
EXPECTED = [  # (path, line, column, code)
    ("models/a.py", 7, 13, "DRP002"),
    ("models/a.py", 8, 16, "DRP003"),
    ("models/b.py", 7, 13, "DRP001"),
    ("models/b.py", 8, 16, "DRP001"),
]


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.py").write_text(MIXED, encoding="utf-8")
    (tmp_path / "models" / "b.py").write_text(TWICE, encoding="utf-8")
    return tmp_path


def output(tree: Path, fmt: str) -> str:
    code, out, _ = run("models", "--no-cache", "--output-format", fmt, cwd=tree)
    assert code == 1
    return out


def test_sarif_is_valid_sarif_2_1_0_for_code_scanning(tree):
    log = json.loads(output(tree, "sarif"))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert sorted(str(e.message) for e in validator.iter_errors(log)) == []
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("flake8-dropout", __version__)
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    assert rules[0]["help"]["markdown"] == RULES["DRP001"].text
    # What code scanning needs: a rule id, a message, a file relative to the repository
    # and a 1-based start line and column (in characters: columnKind says so).
    assert run_["columnKind"] == "unicodeCodePoints"
    got = []
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"] and result["ruleId"] not in result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        region = physical["region"]
        got.append(
            (
                physical["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                result["ruleId"],
            )
        )
    assert got == EXPECTED


def test_sarif_and_gitlab_paths_are_relative_to_the_repository(tmp_path):
    folder = tmp_path / "my models"
    folder.mkdir()
    (folder / "b.py").write_text(TWICE, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.py").write_text(TWICE, encoding="utf-8")
    repo = tmp_path

    def paths(fmt: str, *args: str, cwd: Path = repo) -> set[str]:
        _, out, _ = run("--no-cache", "--output-format", fmt, *args, cwd=cwd)
        if fmt == "gitlab":
            return {issue["location"]["path"] for issue in json.loads(out)}
        results = json.loads(out)["runs"][0]["results"]
        return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}

    for args in (["my models"], ["./my models/"], [str(folder)]):
        assert paths("sarif", *args) == {"my%20models/b.py"}
        assert paths("gitlab", *args) == {"my models/b.py"}
    # A file outside the current folder: an absolute file URI (SARIF); the path (GitLab).
    assert paths("sarif", str(outside), cwd=folder) == {(outside / "c.py").as_uri()}
    assert paths("gitlab", str(outside), cwd=folder) == {str(outside / "c.py")}


#: GitLab's documented Code Quality report format
#: (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): the required
#: fields and the severity values, written as a JSON schema.
GITLAB_REQUIRED = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_gitlab_code_quality_has_the_documented_fields_and_unique_stable_fingerprints(tree):
    issues = json.loads(output(tree, "gitlab"))
    jsonschema.Draft7Validator(GITLAB_REQUIRED).validate(issues)
    got = [
        (
            i["location"]["path"],
            i["location"]["lines"]["begin"],
            i["location"]["positions"]["begin"]["column"],
            i["check_name"],
        )
        for i in issues
    ]
    assert got == EXPECTED
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab shows one issue per fingerprint
    # Moving the code down does not change the fingerprints (no "new" issues in the MR widget).
    for name in ("a.py", "b.py"):
        path = tree / "models" / name
        path.write_text("# a new first line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    moved = json.loads(output(tree, "gitlab"))
    assert [issue["location"]["lines"]["begin"] for issue in moved] == [8, 9, 8, 9]
    assert [issue["fingerprint"] for issue in moved] == fingerprints


def test_junit_is_read_by_junitparser(tree):
    from junitparser import Failure, JUnitXml

    path = tree / "report.xml"
    path.write_text(output(tree, "junit"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"models/a.py", "models/b.py"}
    got = []
    for name, suite in sorted(suites.items()):
        assert (suite.tests, suite.failures, suite.errors) == (2, 2, 0)
        for case in suite:
            (failure,) = case.result
            assert isinstance(failure, Failure)
            assert failure.type == case.name.rsplit(".", 1)[1]
            assert failure.message and failure.type not in failure.message
            got.append((name, int(case._elem.get("line")), failure.type))
    assert got == [row[:2] + row[3:] for row in EXPECTED]


def test_junit_without_findings_is_one_passing_case(tmp_path):
    from junitparser import JUnitXml

    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    code, out, _ = run("ok.py", "--no-cache", "--output-format", "junit", cwd=tmp_path)
    assert code == 0
    (tmp_path / "report.xml").write_text(out, encoding="utf-8")
    (suite,) = JUnitXml.fromfile(str(tmp_path / "report.xml"))
    (case,) = suite
    assert (suite.tests, suite.failures, case.is_passed) == (1, 0, True)


def test_json_lines_are_the_json_rows_one_per_line(tree):
    lines = output(tree, "json-lines").splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows == json.loads(output(tree, "json"))
    assert [(r["path"], r["line"], r["column"], r["code"]) for r in rows] == EXPECTED
    assert all(not r["message"].startswith("DRP") for r in rows)


@pytest.mark.skipif(not hasattr(Reported, "cell"), reason="needs notebook findings (Reported.cell)")
def test_notebook_findings_name_their_cell_in_every_dashboard_format(tmp_path):
    """A notebook's line counts in its cell, not in the JSON file: no file line is claimed."""
    from junitparser import JUnitXml

    message = "DRP001 F.dropout() without training= is always active"
    items = [
        Reported("nb/model.ipynb", 3, 8, "DRP001", message, "safe", cell=2),
        Reported("nb/model.ipynb", 3, 8, "DRP001", message, "safe", cell=5),
    ]
    log = json.loads(format_sarif(items))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert all("region" not in r["locations"][0]["physicalLocation"] for r in results)
    assert [r["message"]["text"].split(":")[0] for r in results] == [
        "cell 2, line 3, column 9",
        "cell 5, line 3, column 9",
    ]
    issues = json.loads(format_gitlab(items))
    jsonschema.Draft7Validator(GITLAB_REQUIRED).validate(issues)
    assert len({issue["fingerprint"] for issue in issues}) == 2
    assert all(i["description"].endswith(f"(cell {n}, line 3)") for i, n in zip(issues, (2, 5)))
    (tmp_path / "r.xml").write_text(format_junit(items), encoding="utf-8")
    (suite,) = JUnitXml.fromfile(str(tmp_path / "r.xml"))
    assert [case._elem.get("line") for case in suite] == [None, None]
    assert [case.result[0].text.split(",")[0] for case in suite] == ["cell 2", "cell 5"]
