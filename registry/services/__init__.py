"""Use-cases: each takes a session and a principal, applies the domain's rules, and records an audit row."""
