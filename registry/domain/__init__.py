"""The registry's rules, free of web and storage: names, references, schemas, lifecycle, access."""
