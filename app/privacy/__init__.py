"""Personal data duties (Decree 13/2023/NĐ-CP): retention, the citizen's rights, breaches,
and the report of who viewed which dossier's files."""
