"""BLAKE2b, the hash of kbtool's content keys (the cache's, a record's digest, a message's), without loading
OpenSSL: importing `hashlib` loads it (some 7 ms of every process, a short `kbtool match` included), and
`hashlib.blake2b` is this same built-in type anyway."""

try:
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b

__all__ = ["blake2b"]
