"""Read-aloud (语音播报) for the kiosk, offline: no Kivy here.

``Narrator`` composes what to say (a guide's summary and materials, key prompts);
``speech_text`` turns figures into words and strips personal data; a ``SpeechEngine``
(``EspeakEngine`` through Debian's espeak-ng, or ``NullEngine``) speaks; ``Speaker`` runs the
engine off the UI thread; ``VoiceSettings`` is the [voice] table of kiosk.toml.

    settings = VoiceSettings.from_table(toml.get("voice"))
    speaker = Speaker(make_engine(settings), settings, on_result=...)
    speaker.say(Narrator().guide(title, summary, materials))
"""
from kiosk.speech.engine import UNAVAILABLE_ZH, NullEngine, SpeechEngine, SpeechResult
from kiosk.speech.espeak import EspeakEngine
from kiosk.speech.factory import ENGINES, make_engine
from kiosk.speech.narrator import MaterialGroup, Narrator
from kiosk.speech.selftest import selftest
from kiosk.speech.settings import VoiceSettings, VoiceSettingsError
from kiosk.speech.speaker import Speaker
from kiosk.speech.text import contains_personal_data, speech_text, strip_personal_data

__all__ = ["ENGINES", "UNAVAILABLE_ZH", "EspeakEngine", "MaterialGroup", "Narrator", "NullEngine", "SpeechEngine",
           "SpeechResult", "Speaker", "VoiceSettings", "VoiceSettingsError", "contains_personal_data", "make_engine",
           "selftest", "speech_text", "strip_personal_data"]
