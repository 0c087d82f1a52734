"""The embedded services `qis run` starts on a laptop (docs/operations.md): PostgreSQL
(`postgres`), the Temporal dev server (`temporal`), the worker, API and sender in one process
(`serve`), and the process and port utilities they share (`processes`)."""
