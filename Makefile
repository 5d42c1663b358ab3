# The two commands of the README. Each installs what is missing first (scripts/bootstrap.sh).
.PHONY: demo test setup lint

setup:
	@scripts/bootstrap.sh

demo: setup
	.venv/bin/billbridge demo

test: setup
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
