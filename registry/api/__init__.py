"""The REST API under /api/v1: thin controllers over the services, one error handler."""
