"""The payments gRPC servicers: protobuf to the use cases and back."""
