"""How the notebook shows the kit's results: a failed check as its message, a boto3 answer without metadata."""

from __future__ import annotations

from lakelab.checks import CheckFailed


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
    """In a notebook a failed check shows its message, not a traceback into the kit."""
    shell = _shell()
    if shell is None:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [str(value)])  # an error whose whole traceback is the message
        return [str(value)]

    shell.set_custom_exc((CheckFailed,), show)


def _shell():
    """The IPython shell running this code, or None outside a notebook."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class Progress:
    """A progress bar with a live throughput readout, redrawn in place in a notebook.

    ``with Progress(total, "records") as bar: bar.advance(n)``; ``bar.note(throttled=3)`` adds figures
    to the line. Outside a notebook the last line is printed once, at the end.
    """

    WIDTH = 30

    def __init__(self, total: int, unit: str = "records") -> None:
        import time

        self.total, self.unit, self.done, self.figures = total, unit, 0, {}
        self.started = self._drawn = time.monotonic()
        self._handle = None
        if _shell() is not None:
            from IPython.display import Pretty, display

            self._handle = display(Pretty(self.line()), display_id=True)

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
        if self._handle is not None and (time.monotonic() - self._drawn > 0.2 or self.done >= self.total):
            self._draw()

    def note(self, **figures: int) -> None:
        self.figures.update(figures)

    def _draw(self) -> None:
        import time

        from IPython.display import Pretty

        self._drawn = time.monotonic()
        self._handle.update(Pretty(self.line()))

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._draw()
        else:
            print(self.line())
