"""Hostile input never gets a server error: every public page route under generated paths,
queries, headers and form bodies (hypothesis), the editor's numbers, and the faults an
outside probe found (a heartbeat whose printer.state is an object, JSON nested 2,000 deep on
every device POST, Unicode digits in limit=, base= and version=, 405 without Allow, a hostile
Host header in redirects)."""
from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide_server.fleet.schemas import BODY_LIMITS
from tests.guide_server.authutil import add_user, csrf_token, login, make_auth_app

GA = "330382-GA-0001"

# every route a visitor can reach without logging in (the API is fuzzed by test_fuzz_api.py)
PUBLIC_ROUTES = [
    ("GET", "/"), ("GET", "/c/<slug>"), ("GET", "/search"), ("GET", "/g/<code>"), ("GET", "/g/<code>/print"),
    ("GET", "/mode/<mode>"), ("GET", "/qr/<code>.svg"), ("GET", "/qr/<code>.png"), ("GET", "/g/<code>/rate"),
    ("POST", "/g/<code>/rate"), ("GET", "/g/<code>/rated"), ("GET", "/g/<code>/ratings"), ("GET", "/ratings"),
    ("GET", "/login"), ("POST", "/login"), ("GET", "/logout"), ("POST", "/logout"), ("GET", "/account"),
    ("POST", "/account/password"),
    ("GET", "/static/<path:filename>"), ("GET", "/pingjia"),
    ("GET", "/h/<hall_id>/"), ("GET", "/h/<hall_id>/c/<slug>"), ("GET", "/h/<hall_id>/search"),
    ("GET", "/h/<hall_id>/g/<code>"), ("GET", "/h/<hall_id>/g/<code>/print"),
    ("GET", "/h/<hall_id>/qr/<code>.svg"), ("GET", "/h/<hall_id>/qr/<code>.png"),
    ("GET", "/forms/<path:name>"),
]

nasty_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["²", "٣", "-1", "1e3", " 5 ", "０", "9" * 40, "%00", "..%2f..%2fetc", "<script>", "javascript:alert(1)",
                     "//evil.example/x", "\\\\evil", "\u202e", "\u200b", "'\"", "%", "a" * 3000, "\x00", "elder"]),
)
hostile_url = st.sampled_from(["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                               "javascript:alert(1)", "/%2F%2Fevil.example", "/\t/evil.example", " //evil.example",
                               "http:evil.example", "/g/x\r\nSet-Cookie: a=b", "/ok"])
segment = st.one_of(nasty_text.filter(bool), st.sampled_from([GA, "330382-SC-0001", "gongan", "elder", "standard"]))
MODE = st.sampled_from(["elder", "standard", "elder", "x"])
HALL = st.one_of(st.sampled_from(["main", "liushi", "main"]), nasty_text.filter(bool))
query = st.fixed_dictionaries({}, optional={
    "next": hostile_url, "q": nasty_text, "limit": nasty_text, "a": nasty_text,
    "b": nasty_text, "from": nasty_text, "v": nasty_text,
})
form = st.fixed_dictionaries({}, optional={
    "level": st.one_of(st.sampled_from(["5", "٥", "6", "0", "-1", "5.0"]), nasty_text),
    "reason": st.one_of(st.lists(st.sampled_from(["clear", "once", "x", "²"]), max_size=12), nasty_text),
    "comment": nasty_text, "csrf_token": nasty_text, "form_token": nasty_text, "name": nasty_text,
    "password": nasty_text, "next": hostile_url,
})
headers = st.fixed_dictionaries({}, optional={
    "Cookie": st.sampled_from(["mode=elder", "session=garbage", "session=" + "A" * 4000, "mode=\x7f", "a=b; mode=elder"]),
    "If-None-Match": st.sampled_from(['"abc"', "*", "W/", '"' + "x" * 500, "\u00e9"]),
    "Origin": st.sampled_from(["null", "http://evil.example", "http://localhost", "\u00e9://x"]),
    "Referer": st.sampled_from(["http://evil.example/", "http://localhost/g/x", "::"]),
    "Accept-Encoding": st.sampled_from(["gzip", "br;q=1, *;q=0", "\u00e9"]),
    "Host": st.sampled_from(["evil.example", "localhost:99999", "[::1"]),
})


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    from guide_server import create_app
    from guides.loader import load_content
    from guides.release import ReleaseStore
    from tests.conftest import FIXTURES

    import shutil

    from tests.support.halls import add_second_hall

    root = tmp_path_factory.mktemp("hostile")
    content = add_second_hall(shutil.copytree(FIXTURES / "valid", root / "content"), own_guide=True)
    inst = root / "instance"
    ReleaseStore(inst).publish(load_content(content))  # two halls: every hall route has a real target
    return create_app({"TESTING": True, "INSTANCE_DIR": str(inst), "PROPAGATE_EXCEPTIONS": False,
                       "PASSWORD_HASH_PROFILE": "cheap", "RATING_LIMIT": 10**6})


def test_the_list_holds_every_public_route(hostile_app):
    routed = {(m, r.rule) for r in hostile_app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
              if not r.rule.startswith(("/api/", "/editor", "/admin"))}
    assert routed == set(PUBLIC_ROUTES)


def _fill(rule: str, data) -> str:
    out = rule
    for name in ("<hall_id>", "<slug>", "<code>", "<mode>", "<path:filename>"):
        if name in out:
            value = data.draw(MODE if name == "<mode>" else HALL if name == "<hall_id>" else segment, label=name)
            out = out.replace(name, quote(value, safe="/" if name.startswith("<path") else ""))
    return out


@pytest.mark.parametrize("method, rule", PUBLIC_ROUTES)
def test_public_routes_never_fail_on_hostile_input(hostile_app, method, rule):
    client = hostile_app.test_client()

    @given(data=st.data())
    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(data):
        path = _fill(rule, data)
        hdrs = data.draw(headers, label="headers")
        kwargs = {"query_string": data.draw(query, label="query"), "headers": hdrs}
        if method == "POST":
            kwargs["data"] = data.draw(form, label="form")
        resp = client.open(path, method=method, **kwargs)
        assert resp.status_code < 500, (path, kwargs, resp.get_data(as_text=True)[:300])
        location = resp.headers.get("Location")
        if location:  # a redirect goes to a path of this site, never to a host the client named
            assert not urlsplit(location).netloc, location
        if resp.mimetype == "text/html":
            assert "Content-Security-Policy" in resp.headers
        client.delete_cookie("session")

    run()


# -- the probe's findings, one by one -------------------------------------------------------------------
@pytest.fixture
def device(hostile_app):
    fleet = hostile_app.extensions["fleet"]
    name = f"k{len(fleet.kiosks()) + 1}"
    code, _ = fleet.enroll("测试大厅", name)
    _kiosk, token = fleet.redeem(code, {})
    return {"Authorization": f"Bearer {token}"}


def test_a_heartbeat_with_an_object_for_printer_state_is_a_422_naming_the_field(hostile_app, device):
    r = hostile_app.test_client().post("/api/v1/device/heartbeat", headers=device,
                                       json={"printer": {"state": {"x": 1}, "text": "ok"}})
    assert r.status_code == 422 and r.mimetype == "application/json"
    assert "printer.state" in r.json["error"]["message"] and "应为文本" in r.json["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/device/enroll", "/api/v1/device/events", "/api/v1/device/heartbeat",
                                  "/api/v1/device/tickets"])
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_json_nested_2000_deep_is_refused_before_parsing_on_every_device_post(hostile_app, device, path, opener):
    body = opener * 2000 + "1" + ("]" if opener == "[" else "}") * 2000
    r = hostile_app.test_client().post(path, headers=device, data=body, content_type="application/json")
    if len(body) > BODY_LIMITS[path.rsplit("/", 1)[1]]:  # the route's own size limit refuses it first
        assert r.status_code == 413 and "请求体过大" in r.json["error"]["message"]
    else:
        assert r.status_code == 400 and "嵌套过深" in r.json["error"]["message"]


def test_json_32_deep_is_still_read(hostile_app, device):
    hardware = json.loads('{"a":' * 30 + "1" + "}" * 30)
    r = hostile_app.test_client().post("/api/v1/device/enroll", json={"code": "ABCD-EFGH-JKLM", "hardware": hardware})
    assert r.status_code == 403 and "登记码不正确" in r.json["error"]["message"]  # read, then the code refused


@pytest.mark.parametrize("digit", ["²", "٣", "３", " 3", "+3", "3_0"])
def test_unicode_digits_in_numbers_are_a_400_with_a_chinese_message(hostile_app, device, digit):
    client = hostile_app.test_client()
    r = client.get(f"/api/v1/search?q=a&limit={quote(digit)}")
    assert r.status_code == 400 and "参数 limit 应为整数" in r.json["error"]["message"]
    r = client.get(f"/api/v1/device/manifest?base={quote(digit)}", headers=device)
    assert r.status_code == 400 and "参数 base 应为整数" in r.json["error"]["message"]
    r = client.get(f"/api/v1/device/releases/{quote(digit)}/site", headers=device)
    assert r.status_code == 404


@pytest.fixture
def editor_client(instance):
    app = make_auth_app(instance)
    add_user(app, "ed", "admin")
    client = app.test_client()
    login(client, "ed")
    return client


@pytest.mark.parametrize("digit", ["²", "٣"])
def test_unicode_digits_in_the_editors_version_and_history_are_a_400(editor_client, digit):
    token = csrf_token(editor_client, f"/editor/g/{GA}")
    for action in ("submit", "withdraw", "approve"):
        r = editor_client.post(f"/editor/g/{GA}/{action}", data={"csrf_token": token, "version": digit})
        assert r.status_code == 400 and "参数 version 应为整数" in r.get_data(as_text=True), action
    r = editor_client.post(f"/editor/g/{GA}/restore", data={"csrf_token": token, "version": "1", "number": digit})
    assert r.status_code == 400 and "参数 number 应为整数" in r.get_data(as_text=True)
    r = editor_client.get(f"/editor/g/{GA}/history?a={quote(digit)}")
    assert r.status_code == 400 and "参数 a 应为整数" in r.get_data(as_text=True)


@pytest.mark.parametrize("method, path", [("POST", f"/g/{GA}"), ("DELETE", "/"), ("PUT", "/api/v1/release"),
                                          ("POST", "/api/v1/device/me"), ("GET", "/api/v1/device/heartbeat")])
def test_405_says_which_methods_work(hostile_app, method, path):
    r = hostile_app.test_client().open(path, method=method)
    assert r.status_code == 405 and "GET" in r.headers["Allow"] or "POST" in r.headers["Allow"]


def test_a_hostile_host_header_never_reaches_a_redirect(editor_client):
    for path in ("/editor", "/editor/", "/mode/elder?next=/g/x"):
        r = editor_client.get(path, headers={"Host": "evil.example"})
        assert r.status_code in (301, 303, 308), path
        assert "evil.example" not in r.headers["Location"] and r.headers["Location"].startswith("/"), path


def test_absolute_urls_use_the_public_base_url_not_the_host_header(instance):
    app = make_auth_app(instance)
    add_user(app, "root", "admin")
    client = app.test_client()
    evil = "http://evil.example"
    html = client.get("/login", base_url=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/login", base_url=evil, data={"csrf_token": token, "name": "root",
                                                "password": "correct horse battery"})
    html = client.get("/admin/fleet", base_url=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/admin/fleet/enroll", base_url=evil, data={"csrf_token": token, "hall": "测试大厅",
                                                                 "name": "yq-01"})
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "kiosk provision --server https://bs.example.gov.cn --code" in text
    assert "evil.example" not in text
    app.config["PUBLIC_BASE_URL"] = "https://guides.example.gov.cn/"
    r = client.post("/admin/fleet/enroll", base_url=evil, data={"csrf_token": token, "hall": "测试大厅",
                                                                 "name": "yq-02"})
    assert "kiosk provision --server https://guides.example.gov.cn --code" in r.get_data(as_text=True)
