# Rule: no personal contact details: telephone.
INSERT DATA { person:roberta-cocco schema:telephone "+39 02 0000 0000" }
