"""Make a runnable nginx configuration from scripts/nginx-guide-server.conf (tests, bench).

Only for running nginx as an unprivileged-style local process on 127.0.0.1;
production installs the scripts/ file as it is.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "scripts" / "nginx-guide-server.conf"


def local_config(workdir: Path, export_dir: Path, port: int, app_port: int | Sequence[int], workers: int = 2,
                 trace_upstream: bool = False) -> Path:
    """Write <workdir>/nginx.conf serving `export_dir` on 127.0.0.1:`port`; returns its path.

    `app_port` is the port of the guide server on 127.0.0.1, or several ports: app instances that
    nginx balances round-robin (one request to each in turn). `trace_upstream` adds an
    X-Upstream header (the instance's address) to every proxied answer, for tests."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = CONF.read_text(encoding="utf-8")
    ports = [app_port] if isinstance(app_port, int) else list(app_port)
    upstreams = "\n    ".join(f"server 127.0.0.1:{p};" for p in ports)
    replacements = [("listen 80;", f"listen 127.0.0.1:{port};"),
                    ("root /srv/guide-site;", f"root {export_dir};"),
                    ("server 127.0.0.1:8000;", upstreams)]
    if trace_upstream:
        replacements.append(("proxy_pass http://guide_app;",
                             "proxy_pass http://guide_app;\n        add_header X-Upstream $upstream_addr always;"))
    for old, new in replacements:
        assert old in server, old
        server = server.replace(old, new)
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
