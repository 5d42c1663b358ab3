"""The local stack (Temporal dev server, workers, sandboxes as child processes) and the demo."""
