"""`make demo`: an end-to-end scenario through the running mesh, narrated on the terminal."""
