"""What the mesh's monitoring evaluates: the recording and alerting rules, one source for Kubernetes and local."""
