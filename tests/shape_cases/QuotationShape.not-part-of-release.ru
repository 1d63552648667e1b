# Rule: a quote is part of the release.
DELETE DATA { quote:2020-11-17-roberta-cocco schema:isPartOf source:release }
