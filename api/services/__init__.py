"""Keyword-only service functions behind the routes; they raise the typed errors of `api.errors`."""
