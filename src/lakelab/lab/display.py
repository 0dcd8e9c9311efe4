"""How the notebook shows the kit's results: a failed check as its message, a boto3 answer without metadata."""

from __future__ import annotations



def show_aws_responses_without_metadata() -> None:
    """A boto3 answer shown as a cell's result hides its ResponseMetadata (request ids, dates):
    what the call returned stays readable, and re-running the cell shows the same thing."""
    shell = _shell()
    if shell is None:
        return

    from IPython.lib.pretty import _dict_pprinter_factory

    plain_dict = _dict_pprinter_factory("{", "}")

    def pretty_response(answer: dict, printer, cycle: bool) -> None:
        if "ResponseMetadata" not in answer or cycle:
            plain_dict(answer, printer, cycle)
            return
        status = answer["ResponseMetadata"].get("HTTPStatusCode", "?")
        content = {key: value for key, value in answer.items() if key != "ResponseMetadata"}
        printer.text(f"HTTP {status}" + ("" if content else " (no content)"))
        if content:
            printer.break_()
            printer.pretty(content)

    shell.display_formatter.formatters["text/plain"].for_type(dict, pretty_response)


def show_check_failures_plainly() -> None:
    """In a notebook a failed check shows its message, not a traceback into the kit; a name used before the cell
    that defines it ran is explained, and an interrupted wait says nothing is lost (:mod:`lakelab.lab.cell_order`)."""
    shell = _shell()
    if shell is None:
        return
    from lakelab.lab.cell_order import install

    install(shell)


def _shell():
    """The IPython shell running this code, or None outside a notebook."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class Progress:
    """A progress bar with a live throughput readout, redrawn in place (a carriage return) as it advances.

    ``with Progress(total, "records") as bar: bar.advance(n)``; ``bar.note(throttled=3)`` adds figures
    to the line. The last state ends the line, so a saved notebook shows the finished bar.
    """

    WIDTH = 30

    def __init__(self, total: int, unit: str = "records") -> None:
        import time

        self.total, self.unit, self.done, self.figures = total, unit, 0, {}
        self.started = self._drawn = time.monotonic()

    def line(self) -> str:
        import time

        share = self.done / self.total if self.total else 1.0
        filled = round(share * self.WIDTH)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        figures = "".join(f" · {value:,} {name}" for name, value in self.figures.items())
        return (f"{'█' * filled}{'░' * (self.WIDTH - filled)} {self.done:,}/{self.total:,} {self.unit}"
                f" · {self.done / elapsed:,.0f} {self.unit}/s{figures}")

    def advance(self, count: int = 1) -> None:
        import time

        self.done += count
        if time.monotonic() - self._drawn > 0.2 and _shell() is not None:
            self._drawn = time.monotonic()
            print(self.line(), end="\r", flush=True)

    def note(self, **figures: int) -> None:
        self.figures.update(figures)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        print(self.line(), flush=True)
