"""Dossiers: submission, uploads, the workflow state machine, tracking."""
