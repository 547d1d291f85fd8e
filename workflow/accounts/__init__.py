"""Users, passwords, sign-in throttling, API tokens and administration."""
