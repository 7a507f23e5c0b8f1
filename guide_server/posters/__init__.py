"""Printable A4 posters (PDF) with a guide's QR code, one per guide or category.

pdf renders them with fpdf2 and imports no Flask; only guide_server.cli uses it.
May import guides and guide_server.public.qr.
"""
