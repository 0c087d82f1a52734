"""The bureau console: Chinese pages over the same services as the JSON API (docs/console.md)."""
