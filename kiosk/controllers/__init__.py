"""State of the kiosk app in plain Python: no Kivy import, testable without a window.

The screens (kiosk/screens) only show what these objects hold and forward
touches to them.
"""
