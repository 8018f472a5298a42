"""Everything about record regexes, one module per job.

`matcher` searches untrusted regexes under a time bound; `literals` reads the strings every match
must contain; `shapes` finds catastrophic backtracking without running anything; `index` looks
regexes up by their literals; `broadness` knows the texts that name no specific error; `collisions`
finds records whose regex matches another record's message; `parts` knows which parts of a message
vary; `generalise` writes a regex from one message; `facts` holds what one lint run learns about
the records' regexes.
"""
