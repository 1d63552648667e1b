# Rule: confirmation status comes from the closed list.
DELETE DATA { city:milan scg:confirmationStatus confirmation-status:listed-in-seed }
;
INSERT DATA { city:milan scg:confirmationStatus confirmation-status:probably }
