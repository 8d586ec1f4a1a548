"""Pure rules of the aggregates: windows and keys, what each event changes, how changes add up."""
