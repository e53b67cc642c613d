"""Payments: fees of dossiers, VietQR transfer codes, bank-notice reconciliation, receipts."""
