"""The one bundled Simplified-Chinese font (Noto Sans SC, SIL OFL 1.1, see OFL.txt).

Kivy, Pillow (receipt raster lines, previews), the PDF posters and any other
renderer use this file, never face 0 of a system .ttc (which is Japanese).
"""
from pathlib import Path

FONT_PATH = Path(__file__).with_name("NotoSansSC-Regular.otf")
FONT_NAME = "NotoSansSC"
