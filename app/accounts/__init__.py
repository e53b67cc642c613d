"""Officer and citizen accounts, login, roles."""
