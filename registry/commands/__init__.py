"""Command groups of the `registry` CLI that live outside cli.py; cli.py registers them."""
