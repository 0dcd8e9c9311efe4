"""report.html, built from a committed synthetic gradebook (tests/grading/fixtures/class, made by make_class.py).

No notebook runs here: the report reads the gradebook and the feedback files, as an instructor's copy would.
"""

from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lakelab.grading import classreport, gradebook, similarity

FIXTURE = Path(__file__).parent / "fixtures" / "class"


@pytest.fixture
def graded(tmp_path) -> Path:
    """A copy of the fixture class (the report is written beside the gradebook)."""
    shutil.copytree(FIXTURE, tmp_path / "class")
    return tmp_path / "class"


def _report(folder: Path) -> str:
    path = classreport.write(folder, lab_notebook=folder / "lab.ipynb", base=folder)
    assert path == folder / "report.html"
    return path.read_text(encoding="utf-8")


class _Tables(HTMLParser):
    """Every table's rows, by the table's id: the numbers a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith(("#", "data:")):
                self.external.append(attrs[name])
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(text: str) -> _Tables:
    parser = _Tables()
    parser.feed(text)
    return parser


def _csv(folder: Path) -> list[dict[str, str]]:
    with (folder / "gradebook.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_report_is_self_contained_and_its_numbers_agree_with_the_csv(graded):
    text = _report(graded)
    parsed = _tables(text)
    assert not parsed.external and "<script" not in text and "http" not in text.replace("http://www.w3.org", "")
    rows = _csv(graded)
    bands = [int(row[1]) for row in parsed.tables["distribution-table"][1:]]
    expected = [0] * 10
    for row in rows:
        expected[min(9, int(float(row["score"]) // 10))] += 1
    assert bands == expected and sum(bands) == len(rows) == 7
    assert f"<b>{len(rows)}</b> submissions" in text
    mean = sum(float(row["score"]) for row in rows) / len(rows)
    assert f"<b>{mean:.1f}</b> mean score" in text
    durations = {r[0]: float(r[1]) for r in parsed.tables["durations-table"][1:]}
    assert durations == {row["submission"]: float(row["duration_s"]) for row in rows if row["submission"] in durations}
    assert next(iter(durations)) == "submissions/erin.ipynb", "slowest first"


def test_pass_rates_are_sorted_hardest_first_and_count_the_feedback_files(graded):
    table = _tables(_report(graded)).tables["pass-rates-table"][1:]
    rates = {row[0]: row[2] for row in table}
    # from the feedback files: frank's is missing, dave's has no checks (not a notebook); 5 files with checks
    assert rates == {"1.1": "5/5", "1.2": "3/5", "1.3": "2/5", "1.4": "3/5", "S.1": "1/5"}
    shares = [float(row[3].rstrip("%")) for row in table]
    assert shares == sorted(shares) and table[0][0] == "S.1" and table[1][0] == "1.3"


def test_hints_shown_most_errors_timeouts_missing_feedback_and_duplicates(graded):
    parsed = _tables(_report(graded))
    hints = parsed.tables["hints-table"][1:]
    assert hints[0][0] == "1.3" and hints[0][2] == "3", "1.3 failed for alice.ipynb, carol and erin"
    problems = {row[0]: row for row in parsed.tables["problems-table"][1:]}
    assert problems["submissions/dave.ipynb"][1] == "error" and "invalid JSON" in problems["submissions/dave.ipynb"][2]
    assert problems["submissions/erin.ipynb"][1] == "timeout" and "time limit of 30 s" in problems["submissions/erin.ipynb"][2]
    assert "feedback file missing" in problems["submissions/frank.ipynb"][2]
    duplicates = parsed.tables["duplicates-table"][1:]
    assert [row[0] for row in duplicates] == ["alice"]


def test_similarity_flags_the_renamed_copy_not_the_own_work_and_shows_them_side_by_side(graded):
    text = _report(graded)
    pairs = re.findall(r"<summary><b>([\d.]+)</b> (\S+) ↔ (\S+)</summary>", text)
    names = {frozenset((a, b)) for _, a, b in pairs}
    alice, again, copy = "submissions/alice/week01_s3.ipynb", "submissions/alice.ipynb", "submissions/bob_week01_s3.ipynb"
    carol, frank = "submissions/carol.ipynb", "submissions/frank.ipynb"  # carol kept a starter cell: not compared
    assert names == {frozenset(pair) for pair in ((alice, copy), (alice, again), (again, copy), (carol, frank))}
    assert not any("erin" in name for _, a, b in pairs for name in (a, b))
    assert "client = boto3.client(&quot;s3&quot;)   # renamed" in text, "the cells shown as submitted"
    assert "MinHash" in text and "Jaccard" in text and "dave.ipynb (not compared" in text


def test_normalising_takes_out_names_whitespace_and_comments_but_keeps_the_api_called():
    one = similarity.normalise("s3 = boto3.client('s3')  # mine\ns3.put_object(Bucket=b, Key='k')\n")
    two = similarity.normalise("c=boto3.client('s3')\n\n\nc.put_object( Bucket = b , Key = 'k' )")
    assert one == two and "put_object" in one and "'s3'" in one
    assert similarity.normalise("c.get_object(Bucket=b)") != similarity.normalise("c.put_object(Bucket=b)")
    assert similarity.normalise("def broken(:\n  pass") == "def _ ( : pass", "code that does not parse is compared too"
    assert similarity.normalise("x = f(1,\n      2)  # one line\ny = '''a\n# kept'''") == \
        "_ = _ ( 1 , 2 )\n_ = '''a\n# kept'''"


def test_similarity_scales_and_finds_only_alike_pairs():
    import random

    rng = random.Random(1)
    words = ["create_bucket", "put_object", "get_object", "list_objects_v2", "delete_object", "head_bucket"]
    codes = []
    for n in range(60):
        lines = [f"c.{rng.choice(words)}(Bucket='b{rng.randrange(1000)}', Key='{rng.randrange(1000)}')"
                 for _ in range(30)]
        codes.append(similarity.Code(f"s{n}", [("\n".join(lines), similarity.normalise("\n".join(lines)))]))
    codes.append(similarity.Code("copy", list(codes[7].cells)))
    for code in codes:
        code.shingles = similarity._shingles(code.cells[0][1])
    pairs = similarity.similar_pairs(codes)
    assert [(p.first.submission, p.second.submission, p.jaccard) for p in pairs] == [("s7", "copy", 1.0)]


def test_a_gradebook_mixing_labs_is_refused_naming_the_labs(graded):
    text = (graded / "gradebook.csv").read_text().replace("week01_s3,4,4,100.0", "week02_catalog,4,4,100.0", 1)
    (graded / "gradebook.csv").write_text(text)
    with pytest.raises(gradebook.GradebookError, match=r"several labs \(week01_s3, week02_catalog\)"):
        classreport.write(graded)


def test_the_report_renders_in_headless_chromium(graded):
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (not in the lock): the report is not opened "
                                      "in a browser here; install playwright and its Chromium to run this test")
    path = classreport.write(graded, lab_notebook=graded / "lab.ipynb", base=graded)
    errors: list[str] = []
    with playwright.sync_playwright() as browser_kit:
        try:
            browser = browser_kit.chromium.launch()
        except Exception as error:  # playwright without its browser build
            pytest.skip(f"headless Chromium is not installed: {str(error).splitlines()[0]}")
        page = browser.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: errors.append(f"network: {request.url}")
                if not request.url.startswith("file:") else None)
        page.goto(path.as_uri())
        assert page.locator("svg").count() >= 2 and page.title().startswith("Class report")
        browser.close()
    assert errors == []
