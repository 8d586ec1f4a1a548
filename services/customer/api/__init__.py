"""The customer service's gRPC servicers, one module per service of `fintech.customer.v1`: protobuf in and out."""
