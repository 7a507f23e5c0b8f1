"""Admin accounts and logins.

service (AccountService, roles, lockout; no Flask) and auth (login/logout views,
`require_role`, `current_user`, `admin_page`, the admin nav). Other rooms' views may
import auth; services may import service.
"""
