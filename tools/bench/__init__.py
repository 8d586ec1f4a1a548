"""`make bench`: benchmarks of the mesh's components; results in var/bench/*.json."""
