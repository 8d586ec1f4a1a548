"""The customer service's use cases: registration, erasure, KYC checks and their control, profiles, insights."""
