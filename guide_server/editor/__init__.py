"""The guide editor: drafts, review, publishing a release from the web.

service (EditorService; no Flask), form (form fields to and from guide data; no Flask),
preview (receipt preview image; no Flask) and views (the /editor blueprint).
May import guides, hardware.printer (preview), guide_server.accounts and the shared modules.
"""
