"""Offline handwriting recognition for the kiosk's 手写 pad (Zinnia + the Tegaki Simplified-
Chinese model, both Debian packages). No Kivy here: the search screen draws the pad, hands the
strokes to a ``RecognitionWorker`` and shows the ``Recognition`` it gets back.

    from kiosk.handwriting import RecognitionWorker, HandwritingUnavailable, selftest
"""
from kiosk.handwriting.recognizer import (Candidate, HandwritingUnavailable, NOT_RECOGNISED_ZH, UNAVAILABLE_ZH,
                                          Recognition, Recognizer, prepare)
from kiosk.handwriting.selftest import selftest
from kiosk.handwriting.worker import RecognitionWorker

__all__ = ["Candidate", "HandwritingUnavailable", "NOT_RECOGNISED_ZH", "UNAVAILABLE_ZH", "Recognition",
           "Recognizer", "RecognitionWorker", "prepare", "selftest"]
