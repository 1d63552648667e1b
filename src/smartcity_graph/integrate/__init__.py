"""What links the graph to others: the Wikidata check and QuickStatements (``wikidata``),
and the reconciliation service's scoring (``reconcile``)."""
