"""The dashboard: how aligned the departments are, in one place.

`selectors.py` reads the figures from what the workflow stores, `tables.py` lays them out as the
tables and charts the page, its CSV files and the PDF's "State of our common language" page show,
`views.py` is the page and its CSV downloads, `api.py` the same figures at /api/v1/metrics.
"""
