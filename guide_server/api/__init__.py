"""The read-only JSON API (/api/v1) and its OpenAPI document.

models holds the pydantic response models (no Flask); views the blueprint.
May import guides and guide_server's shared modules.
"""
