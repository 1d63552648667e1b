"""The query layer: a SPARQL 1.1 protocol request in, result bytes out.

``protocol`` reads and checks requests (no web framework types), ``engine`` names the
engines and builds one from the settings, ``embedded``/``worker``/``frames`` run pyoxigraph
in isolated, killable worker processes, ``remote`` forwards to a SPARQL 1.1 store, and
``results`` writes result bytes with the row cap. Nothing here imports the web layer.
"""
