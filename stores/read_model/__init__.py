"""The HTTP API's read model: what BillBridge knows, served from a database, never a browser.

``database`` opens the engine (SQLite under the home by default, PostgreSQL by URL),
``migrate`` applies the Alembic migrations shipped in ``migrations/``, ``tables`` holds the
typed rows, ``paging`` the cursor lists, and one module per kind of object reads and writes
it (``api_keys``).
"""
