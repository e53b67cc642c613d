"""JSON API /api/v1 for kiosks, portals and scripts; described by openapi.json."""
