"""Small things editors and reviewers met: 是否收费 with no default, messages in the standard's
Chinese names, the 待我审核 list and the diff a reviewer reads before approving."""
from __future__ import annotations

import html
import re

from tests.guide_server.editor.test_editor import (GA, SC, _change_and_submit, app, client_for, ed, form_of,  # noqa: F401
                                                   post, rita, save, version_of)

NEW = "330382-GA-0010"
ENGLISH_KEY = re.compile(r"[a-z][a-z_]{2,}")


def visible_messages(page: str) -> list[str]:
    msgs = re.findall(r'<p class="msg [a-z]+"[^>]*>(.*?)</p>', page, re.S)
    msgs += re.findall(r'<section class="box checker".*?</section>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in msgs]


def test_fee_is_a_required_choice_without_a_default(app, ed):
    assert post(ed, "/editor/new", "/editor/new", code=NEW, name="新事项", category="户籍办理").status_code == 303
    page = ed.get(f"/editor/g/{NEW}").get_data(as_text=True)
    select = re.search(r'<select id="f-fee.charged"[^>]*>(.*?)</select>', page, re.S)
    assert select and "required" in select.group(0)
    assert "selected" not in select.group(1)  # neither 收费 nor 不收费 is chosen for the editor
    assert "是否收费（必选）" in page
    assert "fee" not in app.extensions["editor"].get(NEW).data or "charged" not in app.extensions["editor"].get(NEW).data["fee"]
    # submitting without choosing is refused, and the message says so in Chinese next to the field
    r = save(ed, NEW, form_of(ed, NEW), action="submit")
    assert r.status_code == 400
    field = re.search(r'data-field="fee.charged">(.*?)</div>', r.get_data(as_text=True), re.S).group(1)
    assert "是否收费" in html.unescape(field) and "charged" not in re.sub(r"<[^>]+>", "", field)


def test_checker_messages_name_fields_in_chinese_without_codes_or_keys(app, ed):
    assert post(ed, "/editor/new", "/editor/new", code=NEW, name="新事项", category="户籍办理").status_code == 303
    form = form_of(ed, NEW)
    form["visits"] = "3"   # more than one visit without a reason
    form["materials.0.name"] = "其他材料"
    r = save(ed, NEW, form)
    page = ed.get(f"/editor/g/{NEW}").get_data(as_text=True)
    messages = visible_messages(page)
    assert len(messages) > 5
    text = "\n".join(messages)
    for expected in ("多次到现场的理由", "是否收费", "模糊条款：“其他材料”"):
        assert expected in text, expected
    assert not re.search(r"\b[EW]\d{3}\b", text)       # no checker codes in the text
    assert ENGLISH_KEY.findall(text) == []             # no model keys (charged, visits_reason, ...)
    assert 'data-code="E' in page                       # the codes stay in the markup for support
    live = ed.post(f"/editor/g/{NEW}/check", data=form, headers={"X-CSRFToken": form["csrf_token"]}).get_json()
    assert live["findings"] and all(not ENGLISH_KEY.findall(f["message"]) for f in live["findings"])


def test_reviewer_has_a_to_review_list_and_a_diff_before_approving(app, ed, rita):
    _change_and_submit(ed, GA, "乐清市公安局户政科（新地址）")
    page = rita.get("/editor/review").get_data(as_text=True)
    assert "待我审核" in page and f'href="/editor/g/{GA}#changes"' in page and "共 1 个事项等待您审核" in page
    assert "/editor/review" in rita.get("/editor/").get_data(as_text=True)  # in the navigation
    assert ed.get("/editor/review").status_code == 403                        # editors do not review
    review = rita.get(f"/editor/g/{GA}").get_data(as_text=True)
    changes = html.unescape(re.search(r'<section class="box" id="changes">(.*?)</section>', review, re.S).group(1))
    assert "与发布版本的差异（R1）" in changes
    assert "+department: 乐清市公安局户政科（新地址）" in changes and re.search(r"-department: ", changes)
    assert review.index('id="changes"') < review.index("审核通过</button>")
    # a reviewer who changed the guide does not find it in their own list
    root = client_for(app, "root")
    _change_and_submit(root, SC, "管理员改的部门")
    listing = root.get("/editor/review").get_data(as_text=True)
    assert f'href="/editor/g/{GA}#changes"' in listing and f'href="/editor/g/{SC}#changes"' not in listing
    assert "由您参与修改" in listing and SC in listing
    assert post(rita, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version_of(rita, GA)).status_code == 303
    assert "共 1 个事项等待您审核" in rita.get("/editor/review").get_data(as_text=True)  # GA done, SC left


def test_the_first_submit_button_of_the_form_saves(ed):
    """Enter in a text field submits with the form's first submit button (HTML implicit
    submission): it must be 保存草稿, never 添加一行."""
    page = ed.get(f"/editor/g/{GA}").get_data(as_text=True)
    form = page.split('id="guide-form"', 1)[1]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="action" value="save"' in first and 'type="submit"' in first
