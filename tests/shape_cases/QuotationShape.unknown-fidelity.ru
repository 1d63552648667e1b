# Rule: text fidelity comes from the closed list.
DELETE DATA { quote:2020-11-17-roberta-cocco scg:textFidelity text-fidelity:verbatim }
;
INSERT DATA { quote:2020-11-17-roberta-cocco scg:textFidelity text-fidelity:roughly }
