"""How complete the content is, per guide and in all (``guide-server check --summary``).

One line per guide file, lowest completeness first:

    content/guides/330382-GA-0001.yaml: 完整度 93%（26/28），错误 0 处，提醒 2 处；未载明：基本编码、办理结果

and a last line for the whole content:

    合计 33 个事项：推荐要素完整度 94%（1015/1080），错误 0 处，提醒 66 处

Completeness counts the recommended elements of CONTENT-STANDARD.md (guides.completeness).
"""
from __future__ import annotations

from collections import Counter

from guides.completeness import NAMES
from guides.loader import CheckResult


def summary_lines(result: CheckResult) -> list[str]:
    """The summary of a check as lines of Chinese text (see the module docstring)."""
    errors = Counter(f.path for f in result.errors)
    warnings = Counter(f.path for f in result.warnings)
    lines = []
    for path, figure in sorted(result.completeness.items(), key=lambda kv: (kv[1].ratio, kv[0])):
        missing = list(dict.fromkeys(NAMES.get(m.key, m.key) for m in figure.missing))
        tail = f"；未载明：{'、'.join(missing)}" if missing else ""
        lines.append(f"{path}: 完整度 {figure}，错误 {errors[path]} 处，提醒 {warnings[path]} 处{tail}")
    total = result.total_completeness
    lines.append(f"合计 {len(result.completeness)} 个事项：推荐要素完整度 {total}，"
                 f"错误 {len(result.errors)} 处，提醒 {len(result.warnings)} 处")
    return lines
