# Rule: a verbatim quote was not repaired.
INSERT DATA { quote:2020-11-17-roberta-cocco scg:repairedFrom source:release }
