# Rule: a source has a label.
DELETE DATA { source:release rdfs:label "The press release"@en }
