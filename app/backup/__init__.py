"""`flask backup` / `flask restore`: a database snapshot and every object its rows reference."""
