# Rule: no personal contact details: e-mail.
INSERT DATA { person:roberta-cocco schema:email "roberta@example.org" }
