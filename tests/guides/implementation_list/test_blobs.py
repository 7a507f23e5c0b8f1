"""Numbered free-text cells are split only where the numbering is unambiguous."""
import pytest

from guides.implementation_list.blobs import numbered, split_numbered


@pytest.mark.parametrize("blob, items", [
    ("1.户籍在本市；2.持有原居民身份证 3.无其他证件", ["户籍在本市", "持有原居民身份证", "无其他证件"]),
    ("1、申请\n2、受理\n3、发证", ["申请", "受理", "发证"]),
    ("①申请：提交材料②受理：当场受理③发证", ["申请：提交材料", "受理：当场受理", "发证"]),
    ("（1）夏令时 8:30-17:30\n（2）冬令时 9:00-17:00", ["夏令时 8:30-17:30", "冬令时 9:00-17:00"]),
    ("一、申请 二、审核", ["申请", "审核"]),
    ("第一步：网上申报；第二步：窗口核验", ["网上申报", "窗口核验"]),
    # another style inside an item stays in it
    ("1.符合以下条件：(1)年满18周岁 (2)户籍在本市\n2.无违法记录", ["符合以下条件：(1)年满18周岁 (2)户籍在本市", "无违法记录"]),
])
def test_unambiguous_numbering_is_split(blob, items):
    split = split_numbered(blob)
    assert split.was_split
    assert list(split.items) == items


@pytest.mark.parametrize("blob, reason", [
    ("符合下列条件之一：1.年满18周岁 2.户籍在本市", "之前还有文字"),   # a lead-in changes the meaning
    ("1.申请 3.发证", "不连续"),
    ("1.申请 2.受理 2.发证", "不连续或有重复"),
    ("1.办理时限1.5个工作日", "只有一条"),                              # a decimal is not a marker
    ("周一至周五 8:30-12:00、13:30-17:00", "没有编号"),
])
def test_ambiguous_numbering_is_kept_whole_with_the_reason(blob, reason):
    split = split_numbered(blob)
    assert not split.was_split
    assert split.items == (blob,)
    assert reason in split.reason


def test_export_numbering_splits_back_to_the_same_items():
    items = ["户籍在本市", "持有原居民身份证"]
    assert list(split_numbered(numbered(items)).items) == items
    assert numbered(["只有一条"]) == "只有一条"
