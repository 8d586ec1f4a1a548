"""The shared runtime every service stands on; no service re-implements what is here."""
