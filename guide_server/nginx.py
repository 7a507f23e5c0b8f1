"""Make a runnable nginx configuration from scripts/nginx-guide-server.conf (tests, bench).

Only for running nginx as an unprivileged-style local process on 127.0.0.1;
production installs the scripts/ file as it is.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "scripts" / "nginx-guide-server.conf"


def local_config(workdir: Path, export_dir: Path, port: int, app_port: int | Sequence[int], workers: int = 2,
                 trace_upstream: bool = False, tls: tuple[Path, Path] | None = None,
                 http_port: int | None = None) -> Path:
    """Write <workdir>/nginx.conf serving `export_dir` on 127.0.0.1:`port`; returns its path.

    `app_port` is the port of the guide server on 127.0.0.1, or several ports: app instances that
    nginx balances round-robin (one request to each in turn). `trace_upstream` adds an
    X-Upstream header (the instance's address) to every proxied answer, for tests.
    With `tls` (certificate, key) the site's HTTPS server is kept as shipped; without it, it
    listens in plain HTTP. The plain-HTTP server that redirects to HTTPS listens on
    `http_port` when given, and is left out otherwise. The views log of pages answered from the
    export (guide_server.views_log) is <workdir>/guide-views.log."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = CONF.read_text(encoding="utf-8")
    redirect = server[server.index("server {\n    listen 80;"):server.index("server {\n    listen 443")]
    server = server.replace(redirect, redirect.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                            if http_port else "")
    ports = [app_port] if isinstance(app_port, int) else list(app_port)
    upstreams = "\n    ".join(f"server 127.0.0.1:{p};" for p in ports)
    listen = f"listen 127.0.0.1:{port} ssl;" if tls else f"listen 127.0.0.1:{port};"
    replacements = [("listen 443 ssl http2;", listen),
                    ("root /srv/guide-site;", f"root {export_dir};"),
                    ("server 127.0.0.1:8000;", upstreams),
                    ("ssl_session_cache shared:guide_tls:10m;", ""),
                    ("/var/log/nginx/guide-views.log", str(workdir / "guide-views.log"))]
    if trace_upstream:
        replacements.append(("proxy_pass http://guide_app;",
                             "proxy_pass http://guide_app;\n        add_header X-Upstream $upstream_addr always;"))
    for old, new in replacements:
        assert old in server, old
        server = server.replace(old, new)
    for line in ("ssl_certificate /etc/ssl/guide-site/fullchain.pem;", "ssl_certificate_key /etc/ssl/guide-site/privkey.pem;"):
        assert line in server, line
    if tls:
        server = server.replace("/etc/ssl/guide-site/fullchain.pem", str(tls[0]))
        server = server.replace("/etc/ssl/guide-site/privkey.pem", str(tls[1]))
    else:
        server = "\n".join(x for x in server.splitlines() if "ssl_" not in x)
    (workdir / "guide-server.conf").write_text(server, encoding="utf-8")
    for d in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "tmp" / d).mkdir(parents=True, exist_ok=True)
    import getpass
    import os

    # workers run as the calling user, so they can read an export under a private temp folder
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes {workers};
daemon off;
master_process on;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {workdir}/tmp/client;
    proxy_temp_path {workdir}/tmp/proxy;
    fastcgi_temp_path {workdir}/tmp/fastcgi;
    uwsgi_temp_path {workdir}/tmp/uwsgi;
    scgi_temp_path {workdir}/tmp/scgi;
    include {workdir}/guide-server.conf;
}}
"""
    path = workdir / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path
