"""Customer management: the customer directory, onboarding and KYC, profiles, behaviour insights."""
