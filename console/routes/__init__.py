"""One router per page group; each depends on `console.security.guard` (login and CSRF)."""
