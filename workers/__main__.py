"""``python -m workers``: one worker process (what ``billbridge worker`` runs)."""

import asyncio
import logging

from models.settings import Settings
from security.redacted_logging import configure_logging
from workers.main import run_worker
from workers.process_exit import exit_now

configure_logging(logging.INFO)
try:
    asyncio.run(run_worker(Settings()))
    code = 0
except KeyboardInterrupt:
    code = 130
exit_now(code)
