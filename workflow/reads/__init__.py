"""Read-only views: what pages, the API and reports show. Never writes."""
