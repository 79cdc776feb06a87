"""The site's forms, one module per feature: import each form from its feature's module.

`fields.py` holds the fields they share; the dashboard's filter lives with the dashboard
(glossary/dashboard/forms.py)."""
