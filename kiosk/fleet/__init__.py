"""The kiosk's fleet client: provision, release sync, outbox, heartbeat, the agent loop,
the device API client, queue tickets from the server, the systemd watchdog, fleet settings
and the hooks that attach all of it to a running app.

Talks to the guide server over HTTP only (never imports guide_server). May import kiosk's
shared modules, kiosk.app.controllers, guides and hardware; kiosk.cli may import it.
"""
