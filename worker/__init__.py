"""Builds the Temporal worker with its activity instances and runs it."""
