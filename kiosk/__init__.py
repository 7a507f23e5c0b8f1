"""扫码办事 self-service kiosk: the touch app (app/), the fleet client (fleet/), the
technician command line (cli/), and the modules they share at this level: config (kiosk.toml),
content (the current release), devices (reader and printer calls off the UI thread), store
(the kiosk's SQLite), messages (what a citizen reads about a device fault), receipts.

The kiosk imports guides and hardware, never guide_server (it talks to the server over HTTP).
The shared modules import none of app/, fleet/ or cli/ and no Kivy.
"""
