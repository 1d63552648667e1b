# Rule: no personal contact details: foaf:mbox.
INSERT DATA { person:roberta-cocco foaf:mbox <mailto:roberta@example.org> }
