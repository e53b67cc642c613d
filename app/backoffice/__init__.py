"""The officer back office: inbox, dossier actions, slips, audit and dashboard."""
