"""Citizens' voice and public figures: ratings, the counter kiosk, feedback, statistics."""
