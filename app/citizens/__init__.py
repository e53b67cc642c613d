"""Citizen accounts from an OpenID Connect provider: profile, "my dossiers", linking."""
