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
