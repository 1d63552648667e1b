# Rule: a commitment covers at least one policy area.
DELETE DATA { commitment:milan-2020 scg:policyArea policy-area:privacy-protection }
