# Rule: a source has at most one URL.
INSERT DATA { source:release schema:url <https://example.org/copy> }
