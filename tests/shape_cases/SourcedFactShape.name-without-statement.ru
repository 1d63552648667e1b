# Rule: a name names its own source: a new alternate name for Milan comes with no statement.
INSERT DATA { city:milan schema:alternateName "Milano"@it }
