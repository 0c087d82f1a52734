"""The regulation's vocabulary and rules: pure functions and models, no I/O."""
