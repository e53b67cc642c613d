"""Cross-cutting pieces: model base, text folding, security headers, errors."""
