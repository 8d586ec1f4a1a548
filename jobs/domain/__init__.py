"""The jobs' pure transformations: parsing events and computing results, with no session, catalog or file I/O."""
