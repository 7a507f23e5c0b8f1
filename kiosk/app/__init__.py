"""The touch app: KioskApp (kiosk_app), its Kivy screens with their .kv files, and the
controllers that hold every flow without Kivy.

Imports nothing itself so that controllers can be imported without starting Kivy.
May import kiosk's shared modules (config, content, devices, store, messages, receipts),
guides and hardware; kiosk.fleet and kiosk.cli may import kiosk.app.
"""
