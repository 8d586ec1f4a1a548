"""The console's web server (aiohttp): pages, sign-in, the server-sent event stream."""
