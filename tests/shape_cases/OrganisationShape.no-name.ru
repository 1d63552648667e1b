# Rule: an organisation has a name.
DELETE DATA { organisation:alliance schema:name "G20 Global Smart Cities Alliance"@en }
