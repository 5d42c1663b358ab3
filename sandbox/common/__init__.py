"""Pieces every sandbox portal shares: dropped connections, fault injection, SQLite."""
