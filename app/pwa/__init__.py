"""Serves the manifest, service worker, offline page and icons from the root scope."""
