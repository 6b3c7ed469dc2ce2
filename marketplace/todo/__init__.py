"""The "To do" page: what needs the signed-in user's action now, for each role they hold —
buyer, provider, graduate — read from the apps that own each rule (their selectors)."""
