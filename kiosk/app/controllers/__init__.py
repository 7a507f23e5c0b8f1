"""State and flows of the kiosk app in plain Python: no Kivy import, testable without a window.

State: session, tickets (TicketFlow), ratings (RatingStore), search, idle (IdleTimer), theme,
guide_view. Flows, one controller each, driven by the app as their host: navigation,
printing (一次告知单), queue_ticket (取号), rating_flow (好差评), maintenance, idle_reset.
The screens (kiosk/app/screens) only show what these objects hold and forward touches to
them. May import kiosk's shared modules, guides and hardware; never kiosk.app's screens or
the app itself.
"""
