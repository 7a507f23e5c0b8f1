"""A `stats.Table` as CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX (openpyxl).

Only the figures leave: tables hold counts and rates, never a contact or a comment. No Flask import.
"""
from __future__ import annotations

import csv
import io

from guide_server.ratings.stats import Table


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.columns)
    for row in table.rows:
        w.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: Table, period_label: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = table.key[:31]
    ws.append([table.title + (f"（{period_label}）" if period_label else "")])
    ws["A1"].font = Font(bold=True)
    ws.append(table.columns)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append(row)
    for i, col in enumerate(table.columns, start=1):
        width = max([len(str(col))] + [len(str(r[i - 1])) for r in table.rows[:500]]) + 4
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = min(width * 1.6, 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
