# Rule: a person has the role as written.
DELETE DATA { person:roberta-cocco schema:jobTitle "Deputy Mayor, Milan"@en }
