"""Use-cases: each takes a session and a principal, applies the domain's rules, and records an audit row."""

# registers the session events that keep the site-search index in step with every write (services/search.py)
from registry.services import search as _search_index  # noqa: E402,F401
