"""Importers: records of other error knowledge bases converted into ours (`kbtool import ...`)."""
