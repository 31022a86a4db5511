"""Reports for people and spreadsheets: the same result as JSON, Markdown, CSV or HTML."""
