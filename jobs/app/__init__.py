"""Running a job: read its inputs at one snapshot each, transform, write, record the run's lineage."""
