"""``report.html``: the class at a glance, one self-contained file beside ``gradebook.csv``.

Every number comes from ``gradebook.csv`` and the feedback files (read back through
:mod:`lakelab.grading.gradebook`), so the report and the CSV always agree. Charts are inline SVG; the
page loads nothing from the network (no script, no font, no stylesheet outside the file).
"""

from __future__ import annotations

import html
import time
from collections import Counter
from pathlib import Path

from lakelab.grading import gradebook, similarity
from lakelab.grading.gradebook import Row

REPORT = "report.html"
BINS = 10  # score distribution: 0–10, 10–20, … 90–100 (100 falls in the last)


def write(folder: Path, lab_notebook: Path | None = None, base: Path | None = None,
          threshold: float = similarity.THRESHOLD) -> Path:
    """Write ``folder/report.html`` from ``folder/gradebook.csv``; return its path.

    ``lab_notebook`` is the lab's starter notebook (its cells are not compared for similarity);
    submissions are found at their gradebook path, else relative to ``base``.
    """
    rows = gradebook.read(folder)
    started = time.perf_counter()
    starter = similarity.starter_cells(lab_notebook)
    codes = [similarity.own_code(row.submission, _locate(row.submission, base), starter) for row in rows]
    pairs = similarity.similar_pairs(codes, threshold)
    similarity_s = time.perf_counter() - started
    path = Path(folder) / REPORT
    path.write_text(render(rows, codes, pairs, threshold, similarity_s), encoding="utf-8")
    return path


def _locate(submission: str, base: Path | None) -> Path:
    path = Path(submission)
    if path.exists() or base is None or path.is_absolute():
        return path
    return Path(base) / path


# ---------------------------------------------------------------------------------------------- the figures

def distribution(rows: list[Row]) -> list[int]:
    """Submissions per score band of 10 points (the final score, after any late penalty)."""
    counts = [0] * BINS
    for row in rows:
        counts[min(BINS - 1, int(row.final_score // (100 / BINS)))] += 1
    return counts


def pass_rates(rows: list[Row]) -> list[tuple[str, str, int, int]]:
    """(exercise, title, passed, judged) per exercise, hardest first; only rows whose checks ran count."""
    judged: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for row in rows:
        for exercise in row.exercises:
            counts = judged.setdefault(exercise.number, [0, 0])
            counts[0] += exercise.passed
            counts[1] += 1
            titles[exercise.number] = exercise.title + (" (stretch)" if exercise.stretch else "")
    table = [(number, titles[number], passed, total) for number, (passed, total) in judged.items()]
    return sorted(table, key=lambda entry: (entry[2] / entry[3], entry[0]))


def hints(rows: list[Row]) -> list[tuple[str, str, int]]:
    """(exercise, hint, times shown) most shown first: a hint is shown with every failed check."""
    counter = Counter((exercise.number, exercise.hint) for row in rows for exercise in row.exercises
                      if not exercise.passed and exercise.hint)
    return [(number, hint, count) for (number, hint), count in counter.most_common()]


def duplicates(rows: list[Row]) -> dict[str, list[str]]:
    """Learner ids that more than one submission is from: both kept in the gradebook, flagged here."""
    by_learner: dict[str, list[str]] = {}
    for row in rows:
        by_learner.setdefault(row.learner, []).append(row.submission)
    return {learner: subs for learner, subs in by_learner.items() if len(subs) > 1}


# ---------------------------------------------------------------------------------------------- the page

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:70rem;color:#222;
padding:0 1rem}h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.bar{fill:#3b7dd8}.bad{fill:#d8553b}.warn{background:#fff4e5}pre{background:#f7f7f7;
padding:.5rem;overflow:auto;font-size:.8rem;max-height:22rem;margin:0;white-space:pre-wrap}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.5rem;margin:.4rem 0 1rem}.summary span{margin-right:1.5rem}
"""


def render(rows: list[Row], codes: list[similarity.Code], pairs: list[similarity.Pair], threshold: float,
           similarity_s: float) -> str:
    lab = gradebook.lab_of(rows) or "(no submissions)"
    graded = [row for row in rows if row["status"] == "graded"]
    scores = [row.final_score for row in rows]
    mean = sum(scores) / len(scores) if scores else 0.0
    parts = [
        "<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>Class report · {_e(lab)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Class report · {_e(lab)}</h1>",
        "<p class='muted'>From <code>gradebook.csv</code> and the feedback files beside it: every figure here "
        "is one you can find in them.</p>",
        "<p class='summary'>" + "".join(f"<span><b>{_e(value)}</b> {_e(label)}</span>" for label, value in (
            ("submissions", len(rows)), ("graded", len(graded)),
            ("error", sum(r["status"] == "error" for r in rows)),
            ("timeout", sum(r["status"] == "timeout" for r in rows)),
            ("mean score", f"{mean:.1f}"), ("at 100", sum(s >= 100 for s in scores)))) + "</p>",
        _section_distribution(rows), _section_pass_rates(rows), _section_hints(rows), _section_problems(rows),
        _section_durations(rows), _section_duplicates(rows), _section_similarity(codes, pairs, threshold, similarity_s),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _bars(values: list[float], labels: list[str], width: int = 640, height: int = 180, unit: str = "",
          title: str = "") -> str:
    """A vertical bar chart, inline SVG."""
    if not values:
        return "<p class='muted'>Nothing to draw.</p>"
    top = max(values) or 1
    gap, left, bottom = 4, 30, 34
    bar = max(2.0, (width - left) / len(values) - gap)
    shapes = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' width='{width}' height='{height + bottom}' "
              f"viewBox='0 0 {width} {height + bottom}'><title>{_e(title)}</title>",
              f"<text x='0' y='12' font-size='11' fill='#666'>{_e(f'{top:g}{unit}')}</text>",
              f"<line x1='{left - 2}' y1='{height}' x2='{width}' y2='{height}' stroke='#999'/>"]
    for n, (value, label) in enumerate(zip(values, labels)):
        x = left + n * (bar + gap)
        h = (height - 16) * value / top
        shapes.append(f"<rect class='bar' x='{x:.1f}' y='{height - h:.1f}' width='{bar:.1f}' height='{h:.1f}'>"
                      f"<title>{_e(label)}: {_e(f'{value:g}{unit}')}</title></rect>")
        if len(values) <= 20:
            shapes.append(f"<text x='{x + bar / 2:.1f}' y='{height + 14}' font-size='10' text-anchor='middle'>"
                          f"{_e(label)}</text>")
            if value:
                shapes.append(f"<text x='{x + bar / 2:.1f}' y='{height - h - 3:.1f}' font-size='10' "
                              f"text-anchor='middle'>{_e(f'{value:g}')}</text>")
    return "".join(shapes) + "</svg>"


def _hbar(share: float, width: int = 160) -> str:
    """A horizontal bar for a share between 0 and 1, inline SVG."""
    filled = max(0.0, min(1.0, share)) * width
    colour = "bad" if share < 0.5 else "bar"
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='12' role='img'>"
            f"<rect x='0' y='0' width='{width}' height='12' fill='#eee'/>"
            f"<rect class='{colour}' x='0' y='0' width='{filled:.1f}' height='12'/></svg>")


def _section_distribution(rows: list[Row]) -> str:
    counts = distribution(rows)
    step = 100 // BINS
    labels = [f"{n * step}–{(n + 1) * step}" for n in range(BINS)]
    return ("<h2 id='distribution'>Score distribution</h2>"
            "<p class='muted'>Submissions per band of 10 points (final score, after any late penalty; "
            "the last band includes 100).</p>" + _bars([float(c) for c in counts], labels, title="score distribution")
            + "<table id='distribution-table'><tr><th>band</th><th>submissions</th></tr>"
            + "".join(f"<tr><td>{_e(label)}</td><td class='n'>{count}</td></tr>" for label, count in zip(labels, counts))
            + "</table>")


def _section_pass_rates(rows: list[Row]) -> str:
    table = pass_rates(rows)
    if not table:
        return "<h2 id='pass-rates'>Per exercise</h2><p class='muted'>No check ran on any submission.</p>"
    lines = "".join(
        f"<tr><td>{_e(number)}</td><td>{_e(title)}</td><td class='n'>{passed}/{total}</td>"
        f"<td class='n'>{100 * passed / total:.1f}%</td><td>{_hbar(passed / total)}</td></tr>"
        for number, title, passed, total in table)
    return ("<h2 id='pass-rates'>Per exercise, hardest first</h2>"
            "<p class='muted'>Share of the submissions whose checks ran that pass each exercise's check "
            "(submissions refused before running have no check results and are not counted here).</p>"
            "<table id='pass-rates-table'><tr><th>exercise</th><th>title</th><th>passed</th><th>rate</th><th></th>"
            f"</tr>{lines}</table>")


def _section_hints(rows: list[Row], shown: int = 15) -> str:
    table = hints(rows)[:shown]
    if not table:
        return "<h2 id='hints'>Hints shown most</h2><p class='muted'>No hint was shown: no check failed.</p>"
    lines = "".join(f"<tr><td>{_e(n)}</td><td>{_e(h)}</td><td class='n'>{c}</td></tr>" for n, h, c in table)
    return ("<h2 id='hints'>Hints shown most</h2><p class='muted'>A feedback file shows a check's hint when the "
            "check fails.</p><table id='hints-table'><tr><th>exercise</th><th>hint</th><th>shown</th></tr>"
            f"{lines}</table>")


def _section_problems(rows: list[Row]) -> str:
    problems = [row for row in rows if row["status"] in ("error", "timeout") or not row.feedback_found]
    if not problems:
        return "<h2 id='problems'>Errors and timeouts</h2><p>None: every submission was graded.</p>"
    lines = "".join(
        f"<tr class='warn'><td>{_e(row.submission)}</td><td>{_e(row['status'])}</td><td>{_e(row['note'])}"
        + (f"<br><span class='muted'>{_e(row.first_failure)}</span>" if row.first_failure else "")
        + ("" if row.feedback_found else f"<br><b>feedback file missing</b> ({_e(row['feedback'] or 'none named')})")
        + "</td></tr>" for row in problems)
    return ("<h2 id='problems'>Errors, timeouts, missing feedback</h2>"
            "<table id='problems-table'><tr><th>submission</th><th>status</th><th>why</th></tr>"
            f"{lines}</table>")


def _section_durations(rows: list[Row]) -> str:
    durations = [row.duration_s for row in rows]
    if not durations:
        return ""
    ordered = sorted(durations)
    median = ordered[len(ordered) // 2]
    labels = [gradebook.learner_id(row.submission) for row in rows]
    slowest = sorted(rows, key=lambda row: -row.duration_s)[:10]
    return ("<h2 id='durations'>Grading time per submission</h2>"
            f"<p class='muted'>Total {sum(durations):.1f} s of grading (summed over parallel jobs); median "
            f"{median:.1f} s, longest {ordered[-1]:.1f} s.</p>"
            + _bars(durations, labels, unit=" s", title="grading time per submission")
            + "<table id='durations-table'><tr><th>slowest submissions</th><th>seconds</th><th>status</th></tr>"
            + "".join(f"<tr><td>{_e(r.submission)}</td><td class='n'>{r.duration_s:.1f}</td><td>{_e(r['status'])}"
                      f"</td></tr>" for r in slowest) + "</table>")


def _section_duplicates(rows: list[Row]) -> str:
    found = duplicates(rows)
    if not found:
        return ""
    lines = "".join(f"<tr class='warn'><td>{_e(learner)}</td><td>{'<br>'.join(_e(s) for s in subs)}</td></tr>"
                    for learner, subs in found.items())
    return ("<h2 id='duplicates'>Several submissions from one learner</h2><p class='muted'>Every one is in the "
            "gradebook with its own score; decide which counts.</p><table id='duplicates-table'>"
            f"<tr><th>learner</th><th>submissions</th></tr>{lines}</table>")


def _section_similarity(codes: list[similarity.Code], pairs: list[similarity.Pair], threshold: float,
                        seconds: float) -> str:
    compared = sum(1 for code in codes if code.cells)
    head = ("<h2 id='similarity'>Similar submissions</h2>"
            f"<p class='muted'>A prompt to look, never a verdict: correct solutions to one exercise can be alike. "
            f"Compared: each submission's own code cells (those not identical to the lab's starter cells), with "
            f"names, whitespace and comments normalised away; token {similarity.SHINGLE}-shingles, MinHash "
            f"({similarity.PERMUTATIONS} hashes, LSH in {similarity.BANDS} bands of {similarity.ROWS}) to find "
            f"candidates, then the exact Jaccard similarity of their shingle sets; pairs at or above "
            f"{threshold:.2f} are shown. Cost grows as n·s (signatures) plus the candidate pairs, not n². "
            f"{compared} of {len(codes)} submissions compared in {seconds:.2f} s.</p>")
    skipped = [code for code in codes if code.note]
    if skipped:
        head += "<p class='muted'>Not compared: " + ", ".join(
            f"{_e(code.submission)} ({_e(code.note)})" for code in skipped[:20]) + "</p>"
    if not pairs:
        return head + "<p id='similarity-none'>No pair above the threshold.</p>"
    blocks = []
    for pair in pairs[:50]:
        cells = "".join(f"<div class='pair'><pre>{_e(a)}</pre><pre>{_e(b)}</pre></div>"
                        f"<p class='muted'>cells {score:.2f} alike</p>" for a, b, score in pair.shared_cells)
        blocks.append(f"<details class='similar-pair'><summary><b>{pair.jaccard:.2f}</b> {_e(pair.first.submission)}"
                      f" ↔ {_e(pair.second.submission)}</summary>{cells}</details>")
    more = f"<p>… and {len(pairs) - 50} more pairs.</p>" if len(pairs) > 50 else ""
    return head + f"<p>{len(pairs)} pair(s):</p>" + "".join(blocks) + more
