"""The kiosk fleet on the server: enrolment, device API, heartbeats, events, queue tickets.

models (SQLAlchemy tables) and service (FleetService; no Flask), device_api (the bearer-token
device blueprint), views (the admin fleet page) and app (`init_app`, wiring them into Flask).
May import guides, guide_server.accounts.auth (views only) and the shared modules.
"""
