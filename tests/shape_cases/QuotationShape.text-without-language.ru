# Rule: quoted text is language-tagged.
DELETE DATA { quote:2020-11-17-roberta-cocco schema:text "Technology and knowledge are two strategic assets."@en }
;
INSERT DATA { quote:2020-11-17-roberta-cocco schema:text "Technology and knowledge are two strategic assets." }
