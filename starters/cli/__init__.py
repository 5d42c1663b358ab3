"""The billbridge command line, one module per command group."""

from starters.cli.app import main

__all__ = ["main"]
