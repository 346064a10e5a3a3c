"""WTForms per area (Flask-WTF adds CSRF)."""
