"""Electronic results: the numbered, immutable result documents of a dossier."""
