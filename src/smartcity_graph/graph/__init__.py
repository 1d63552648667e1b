"""The graph of record: curated records -> RDF -> SHACL validation -> the release files.

The flow, one module each: ``sources`` reads ``data/`` into ``model`` records; ``build``
turns them into RDF; ``validate`` (with ``sparql_constraints``) checks it against the
shapes; ``serialize``, ``exports``, ``describe_dataset`` and ``profiles`` write the release
files; ``publish`` puts them on disk atomically; ``pipeline`` runs the steps in order.
``describe`` is the read side: a resource as the pages show it.
"""
