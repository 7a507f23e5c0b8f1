"""实施清单 import and export: a hall's item list (spreadsheet or exchange tables) to and
from v2 guides.

Modules, in the order data flows:
reader (files -> sheets of cells) · headers + headers/*.yaml (header row, sheet kind, column
-> field) · fields (what each field is) · codelists + codelists/*.yaml + vocabulary.yaml
(labels and codes) · cells (one cell -> text/number/date/code) · blobs (numbered free text
-> list items) · elements (basis, flow, phones, fees, limits) · mapping (rows -> v2 dicts,
trace, problems) · checking (the content checker over the result) · merge + store (re-import
into a content folder, import state, atomic write) · diff · report · export (v2 -> xlsx) ·
service (the calls the CLI and editor use) · cli (click commands).

No Flask, no Kivy.
"""
