"""Official outputs: PDFs with verifiable references, DIPLOMATION and other exports, candidate
imports, session archives and retention of exam material."""
