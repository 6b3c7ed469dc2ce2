"""The public REST API under /api/v1/, documented by its OpenAPI schema at /api/v1/schema/."""
