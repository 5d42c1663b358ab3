"""The HTTP API (``billbridge api``): a thin FastAPI layer over the read model and the
Python client. ``app.create_app`` assembles it; each module is one concern of it."""
