"""Bulk transfer of the directory: safe uploads, reading files, column mapping, a dry-run preview
and an all-or-nothing commit of imports; exports of what the reader may see."""
