# Rule: the dataset states a positive triple count.
DELETE DATA { dataset:smartcity-graph void:triples 100 }
;
INSERT DATA { dataset:smartcity-graph void:triples 0 }
