"""Web push and the in-app inbox: tell the citizen the moment a dossier changes."""
