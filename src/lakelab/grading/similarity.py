"""Near-identical submissions: a prompt for a human to look, never a penalty.

What is compared is each submission's **own code**: its code cells minus those identical to the lab's
starter cells, each normalised so that renaming variables, reformatting and commenting change nothing:

1. A tokenizer drops comments, blank lines and whitespace; every name that is not a keyword,
   a builtin or an attribute (``s3.put_object`` keeps ``put_object``: the API called is the substance)
   becomes ``_``. Strings and numbers are kept (bucket names and SQL are where copies show).
2. Shingles: every run of ``SHINGLE`` consecutive tokens (each token a CRC-32), hashed to 64 bits.
3. MinHash: ``PERMUTATIONS`` hash functions (multiply-add modulo 2⁶⁴, top 32 bits) keep each one's minimum over a
   submission's shingles; the share of equal minima estimates the Jaccard similarity of two shingle sets.
4. LSH banding (``BANDS`` bands of ``ROWS`` minima) proposes candidate pairs: two submissions become a
   candidate when any band is identical. Only candidates get their exact Jaccard computed on the shingle
   sets; pairs at or above the threshold are reported.

Cost: signatures are O(n · s · k) for n submissions of s shingles and k permutations (numpy, vectorised);
banding is O(n · b); exact Jaccard is O(s) per candidate pair. Candidates grow with how many submissions are
truly alike (all n² / 2 in the worst case of a class that handed in one notebook), not with n² itself.
With ROWS=4 and BANDS=32 a pair at Jaccard 0.8 becomes a candidate with probability 1 − (1 − 0.8⁴)³² ≈ 1,
a pair at 0.3 with probability ≈ 0.23 (and is then dropped by the exact Jaccard).
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import zlib
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

SHINGLE = 5  # tokens per shingle
ROWS, BANDS = 4, 32
PERMUTATIONS = ROWS * BANDS
THRESHOLD = 0.8  # Jaccard similarity of normalised shingles at which a pair is shown
_MASK = (1 << 64) - 1  # a tuple of ints hashes the same in every process (no hash randomisation for ints)
_KEEP = set(keyword.kwlist) | set(dir(builtins))
_rng = np.random.default_rng(20261206)  # fixed: the same pairs on every run
_A = _rng.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _rng.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)


@dataclass
class Code:
    """One submission's own code: its cells, normalised, and the shingles of all of them."""

    submission: str
    cells: list[tuple[str, str]] = field(default_factory=list)  # (source as submitted, normalised)
    shingles: set[int] = field(default_factory=set)
    note: str = ""  # why there is nothing to compare (unreadable file)


@dataclass
class Pair:
    first: Code
    second: Code
    jaccard: float
    shared_cells: list[tuple[str, str, float]]  # the two cells' sources side by side, and their similarity


_TOKEN = re.compile(r"""
    (?P<string>(?:[rRbBuUfF]{0,2})(?:\'\'\'[\s\S]*?\'\'\'|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
  | (?P<comment>\#[^\n]*)
  | (?P<name>[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<newline>\n)
  | (?P<op>\*\*=?|//=?|->|:=|[<>=!+\-*/%&|^@]=|<<=?|>>=?|[^\s\w])
""", re.VERBOSE)


def normalise(source: str) -> str:
    """A cell's code with names, whitespace and comments taken out: tokens split by spaces, one line per line.

    A regular-expression tokenizer (strings, comments, names, numbers, operators), several times faster
    than Python's ``tokenize`` and forgiving of code that does not parse. Lines of IPython magics and
    shell escapes (``%``, ``!``) are dropped; a line continued inside brackets stays one line.
    """
    lines: list[list[str]] = [[]]
    previous, depth = "", 0
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    for found in _TOKEN.finditer(source):
        kind, text = found.lastgroup, found.group()
        if kind == "comment":
            continue
        if kind == "newline":
            if depth <= 0 and lines[-1]:
                lines.append([])
            continue
        if kind == "name" and text not in _KEEP and previous != ".":
            text = "_"
        elif kind == "op":
            depth += text in "([{"
            depth -= text in ")]}"
        lines[-1].append(text)
        previous = found.group()
    return "\n".join(" ".join(line) for line in lines if line)


def _shingles(normalised: str) -> set[int]:
    ids = [zlib.crc32(token.encode()) for token in normalised.split()]
    if len(ids) < SHINGLE:
        return {hash(tuple(ids)) & _MASK} if ids else set()
    return {hash(shingle) & _MASK for shingle in zip(*(ids[i:] for i in range(SHINGLE)))}


def code_cells(path: Path) -> list[str]:
    """The code cells' sources of a notebook file (raises OSError or ValueError when it is not one)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = document.get("cells", []) if isinstance(document, dict) else []
    if not isinstance(cells, list):
        raise ValueError("its cells are not a list")
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(map(str, source)) if isinstance(source, list) else str(source))
    return sources


def own_code(submission: str, path: Path, starter: set[str]) -> Code:
    """The cells of ``path`` that are not the lab's starter cells, normalised and shingled."""
    code = Code(submission)
    try:
        sources = code_cells(path)
    except (OSError, ValueError, TypeError, AttributeError) as error:  # not a notebook's JSON
        code.note = f"not compared: {type(error).__name__}"
        return code
    for source in sources:
        normalised = normalise(source)
        if normalised and normalised not in starter:
            code.cells.append((source, normalised))
            code.shingles |= _shingles(normalised)
    return code


def starter_cells(lab_notebook: Path | None) -> set[str]:
    """The lab's own code cells, normalised: code every learner starts from, never evidence of copying."""
    if lab_notebook is None or not Path(lab_notebook).exists():
        return set()
    return {normalise(source) for source in code_cells(lab_notebook)}


def signatures(codes: list[Code]) -> np.ndarray:
    """MinHash signatures, one row per submission (all-max for a submission with no shingles).

    Each permutation is a multiply-add hash ``a·x + b`` modulo 2⁶⁴ with odd ``a`` (numpy's uint64
    arithmetic wraps), then the top 32 bits: a standard universal family, without a modulo per value.
    """
    out = np.full((len(codes), PERMUTATIONS), np.iinfo(np.uint64).max, dtype=np.uint64)
    for row, code in enumerate(codes):
        if not code.shingles:
            continue
        x = np.fromiter(code.shingles, dtype=np.uint64, count=len(code.shingles))
        with np.errstate(over="ignore"):
            hashed = (_A[:, None] * x[None, :] + _B[:, None]) >> np.uint64(32)
        out[row] = hashed.min(axis=1)
    return out


def candidates(signature: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of rows that share a whole band of their signatures."""
    found: set[tuple[int, int]] = set()
    empty = np.all(signature == np.iinfo(np.uint64).max, axis=1)
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        block = signature[:, band * ROWS:(band + 1) * ROWS]
        for row in range(signature.shape[0]):
            if not empty[row]:
                buckets.setdefault(block[row].tobytes(), []).append(row)
        for rows in buckets.values():
            if len(rows) > 1:
                found.update(combinations(rows, 2))
    return found


def jaccard(first: set[int], second: set[int]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def similar_pairs(codes: list[Code], threshold: float = THRESHOLD) -> list[Pair]:
    """Pairs of submissions whose own code is at least ``threshold`` alike, most alike first."""
    pairs = []
    for i, j in sorted(candidates(signatures(codes))):
        score = jaccard(codes[i].shingles, codes[j].shingles)
        if score >= threshold:
            pairs.append(Pair(codes[i], codes[j], score, side_by_side(codes[i], codes[j])))
    return sorted(pairs, key=lambda pair: (-pair.jaccard, pair.first.submission, pair.second.submission))


def side_by_side(first: Code, second: Code, limit: int = 6) -> list[tuple[str, str, float]]:
    """For each of ``first``'s cells, ``second``'s most alike cell, when they are alike at all."""
    shingled = [_shingles(normalised) for _, normalised in second.cells]
    rows = []
    for source, normalised in first.cells:
        mine = _shingles(normalised)
        best, score = None, 0.0
        for index, theirs in enumerate(shingled):
            value = jaccard(mine, theirs)
            if value > score:
                best, score = index, value
        if best is not None and score >= 0.5:
            rows.append((source, second.cells[best][0], score))
    return sorted(rows, key=lambda row: -row[2])[:limit]
