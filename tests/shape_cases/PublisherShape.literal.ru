# Rule: a publisher is an agent (an IRI), never a bare name.
INSERT DATA { source:release schema:publisher "Some Newspaper" }
