"""The public side citizens see: phone guide pages, search page, print page, QR images and
the cache that answers repeat page requests without Flask (fastpath).

qr is the QR service (no Flask); pages and qr_views are blueprints. May import guides,
guide_server's shared modules (web, state, security); other rooms may import public.qr only.
"""
