"""Query results for people and programs: text views and tables, CSV, JSON, article
files, W3C PROV, trace graphs and Datasette metadata."""
