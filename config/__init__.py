"""The project's settings (from the environment), URLs, and WSGI/ASGI entry points; at the top
of the dependency order, since the URLs gather every package's screens."""
