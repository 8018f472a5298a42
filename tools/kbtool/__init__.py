"""kbtool: curation and validation toolchain for a Git-hosted knowledge base of software error records."""

__version__ = "0.1.0"
