"""Ingest: accounting-system exports (any layout, encoding and value format) turned into the
canonical tables of SPEC §1, before validation.

`sniff` says what a file is, `grid` reads it as text cells, `layout` finds the header and
classifies rows (data, totals, group labels, footers), `mapping` says which column holds which
field (presets, a user's TOML file, header synonyms), `values` parses money and dates, and
`export` puts it together and routes each row to its table.
"""
