"""Rules of written Chinese that every surface shares, with no dependencies.

``zhtext.linebreak`` breaks Chinese text into lines (禁则: no closing
punctuation at a line start, no opening one at a line end; numbers, amounts,
times, codes and document numbers kept whole), measured by a width function
the caller passes in: display columns for a receipt, pixels for a screen.

This package imports nothing but the standard library, so guides/, hardware/
(which knows nothing of guides), the kiosk screens and the guide server can
all use the same rules.
"""
