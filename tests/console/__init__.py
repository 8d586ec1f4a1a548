"""The operations console: its pure rules, the sign-in flow, the page and the mesh."""
