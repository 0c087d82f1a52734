"""What every layer may import: the configuration read from the environment (`settings`) and
the Temporal client (`temporal`). Nothing here imports the API, the worker or the launcher."""
