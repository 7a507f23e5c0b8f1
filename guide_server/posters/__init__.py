"""Printable hall posters (PDF, A4 or A3) with a guide's QR code, one per guide.

content holds what a poster says, layout where each element goes (measured, kept apart,
or a PosterError naming the guide), pdf draws it with fpdf2. No Flask; only
guide_server.cli uses it. May import guides and guide_server.public.qr.
"""
