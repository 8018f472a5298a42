"""`kbtool extract`: candidate records mined from Q&A articles (markdown with YAML front matter).

`articles` reads one article safely into blocks with line numbers, `messages` finds the error
messages in it, `candidates` turns messages into records and decides which are new and which the
knowledge base already knows, `pipeline` runs them over a set of articles, `report` prints the
result (the command itself is `kbtool.cli.extract`).
"""
