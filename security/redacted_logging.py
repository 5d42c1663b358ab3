"""Every log line BillBridge writes passes the redactor, Temporal's own lines included.

``configure_logging`` is what every entry point calls (the ``billbridge`` command for the
worker, the demo, ``pay``…; ``workers.main.run_worker``): the usual ``basicConfig`` plus a
``RedactingFilter`` on each root handler. Temporal's activity and workflow loggers
(``temporalio.activity``, ``temporalio.workflow``, ``workflow.logger``) are stdlib loggers
that propagate to the root, so their records pass the same filter — including the
exception and traceback Temporal attaches when an activity fails.

A filter on a handler sees every record that handler writes, whichever logger emitted it;
a filter on a logger would only see that logger's own records.
"""

from __future__ import annotations

import logging

from security.redaction import Redactor, redactor

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Rewrites a record in place: message (with its arguments merged), traceback, stack."""

    def __init__(self, redaction: Redactor = redactor) -> None:
        super().__init__()
        self._redaction = redaction

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep only what cannot carry an argument
            message = str(record.msg)
        record.msg, record.args = self._redaction.redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the redacted one is what is written.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redaction.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redaction.redact(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root by default) and on Python's
    last-resort handler, which writes warnings when no handler is configured at all.
    Idempotent: call it again after adding a handler."""
    target = logger or logging.getLogger()
    handlers = [*target.handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(level: int) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT)
    install_log_redaction()
