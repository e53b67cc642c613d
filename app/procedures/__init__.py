"""The procedure (TTHC) catalogue: documents, fees, time limits, form fields; search."""
