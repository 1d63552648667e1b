# Rule: every pioneer city has exactly one commitment.
DELETE WHERE { commitment:milan-2020 ?p ?o }
