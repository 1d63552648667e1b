# Rule: a source URL is http(s).
DELETE DATA { source:release schema:url <https://example.org/release> }
;
INSERT DATA { source:release schema:url <mailto:press@example.org> }
