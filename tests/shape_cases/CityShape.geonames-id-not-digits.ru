# Rule: a GeoNames id is digits.
DELETE DATA { city:milan scg:geonamesId "3173435" }
;
INSERT DATA { city:milan scg:geonamesId "geo-3173435" }
