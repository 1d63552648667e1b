# Rule: a repaired quote names the copy it was repaired from.
DELETE DATA { quote:2020-11-17-roberta-cocco scg:textFidelity text-fidelity:verbatim }
;
INSERT DATA { quote:2020-11-17-roberta-cocco scg:textFidelity text-fidelity:repaired-from-other-copy }
