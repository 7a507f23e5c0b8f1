"""Rating posts are idempotent per form: each rendered form carries a one-time token; a retry
or a second press of it (even many at once) stores nothing new and is answered as the first
post was. A token-less post from the cached guide page is keyed by what it says."""
from __future__ import annotations

import datetime as dt
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from guide_server.ratings import form as rating_form
from tests.guide_server.ratings.test_ratings import GA, SAME_ORIGIN, db_rows
from tests.support.live_server import LiveServer

_FIELD = r'name="{}" value="([^"]+)"'


def _form(client, code=GA) -> dict:
    html = client.get(f"/g/{code}/rate").get_data(as_text=True)
    return {k: re.search(_FIELD.format(k), html).group(1) for k in ("csrf_token", "form_token")}


def test_the_same_form_posted_twice_stores_one_rating_and_answers_alike(client, app):
    tokens = _form(client)
    first = client.post(f"/g/{GA}/rate", data={"level": "2", "reason": ["slow"], **tokens})
    again = client.post(f"/g/{GA}/rate", data={"level": "2", "reason": ["slow"], **tokens})
    changed = client.post(f"/g/{GA}/rate", data={"level": "5", **tokens})  # the same form, other answers
    assert first.status_code == again.status_code == changed.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == changed.headers["Location"]
    assert [r["level"] for r in db_rows(app)] == [2]
    other = _form(client)  # a new rendering of the form is a new rating
    assert client.post(f"/g/{GA}/rate", data={"level": "4", **other}).status_code == 303
    assert [r["level"] for r in db_rows(app)] == [2, 4]


def test_a_form_token_cannot_be_forged_moved_or_kept_for_ever(client, app):
    tokens = _form(client)
    secret = app.config["SECRET_KEY"]
    old = rating_form.issue(secret, GA, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2))
    other_guide = rating_form.issue(secret, "330382-SC-0001")
    nonce = tokens["form_token"].split(".")[0]
    for bad, says in ((old, "已过期"), (other_guide, "无法确认"), (f"{nonce}.1.{'0' * 32}", "无法确认"),
                      ("garbage", "已损坏")):
        r = client.post(f"/g/{GA}/rate", data={"level": "3", "csrf_token": tokens["csrf_token"], "form_token": bad})
        html = r.get_data(as_text=True)
        assert r.status_code == 400 and says in html, bad
        assert re.search(_FIELD.format("form_token"), html)  # a fresh form to send again
    assert db_rows(app) == []


def test_many_retries_of_one_form_at_once_store_one_rating(client, app):
    tokens = _form(client)
    cookie = f"session={client.get_cookie('session').value}"
    body = urllib.parse.urlencode({"level": "1", "comment": "等了很久", **tokens}).encode()
    answers = []
    with LiveServer(app) as base:
        start = threading.Barrier(12)

        def post():
            start.wait()
            req = urllib.request.Request(f"{base}/g/{GA}/rate", data=body, headers={"Cookie": cookie})
            opener = urllib.request.build_opener(_NoRedirect)
            try:
                opener.open(req, timeout=30)
            except urllib.error.HTTPError as err:
                answers.append(err.code)

        threads = [threading.Thread(target=post) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert answers == [303] * 12
    assert [(r["level"], r["comment"]) for r in db_rows(app)] == [(1, "等了很久")]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_tokenless_post_from_the_guide_page_is_not_doubled_by_a_retry(client, app):
    for _ in range(3):
        r = client.post(f"/g/{GA}/rate", data={"level": "4", "comment": "清楚"}, headers=SAME_ORIGIN)
        assert r.status_code == 303
    assert client.post(f"/g/{GA}/rate", data={"level": "3"}, headers=SAME_ORIGIN).status_code == 303
    assert [r["level"] for r in db_rows(app)] == [4, 3]


def test_a_rating_refused_for_the_rate_limit_leaves_its_form_usable(instance):
    from guide_server import create_app

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance), "RATING_LIMIT": 1})
    client = app.test_client()
    client.post(f"/g/{GA}/rate", data={"level": "5"}, headers=SAME_ORIGIN)
    tokens = _form(client)
    assert client.post(f"/g/{GA}/rate", data={"level": "2", **tokens}).status_code == 429
    app.extensions["ratings"].limit = 5
    assert client.post(f"/g/{GA}/rate", data={"level": "2", **tokens}).status_code == 303
    assert [r["level"] for r in db_rows(app)] == [5, 2]
