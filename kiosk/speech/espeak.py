"""Speech through eSpeak NG (Debian's ``espeak-ng``), offline, as a subprocess.

Voice: ``cmn-latn-pinyin`` by default — Mandarin. Debian 12's espeak-ng 1.51 turns Chinese
characters into tone-numbered pinyin and its plain ``cmn`` voice then reads that pinyin with
English rules ("八" becomes "ba one"); the ``cmn-latn-pinyin`` variant of the same language reads
it as pinyin (checked with ``espeak-ng -x``: no English fallback in a whole guide). Any voice name
espeak-ng knows can be configured.

``speak`` synthesises into a private temporary WAV (``espeak-ng -w``), then plays it with the
first player on PATH — ``pw-play`` (PipeWire), ``paplay`` (PulseAudio), ``aplay`` (ALSA, from
alsa-utils) — trying the next when one fails, so the terminal's default output is used whatever
sound server it runs. With no player at all espeak-ng plays it itself. No audio device: status
"no_audio_device", never an exception. The text goes in on stdin as UTF-8 (``-b 1``), so no
locale or leading "-" can change its meaning.

Volume 0–100 is espeak-ng's amplitude ``-a`` 0–100 (100 is its default; above it this voice
clips: at ``-a 200`` a sentence has ~200 clipped samples, at 80 none); rate is words
per minute ``-s``, default 175 (espeak-ng's own), which for this voice is about 3.4 syllables a
second — already slower than conversation (4–5), calm for older listeners.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import Sequence

from kiosk.speech.engine import SpeechEngine, SpeechResult

log = logging.getLogger(__name__)

DEFAULT_VOICE = "cmn-latn-pinyin"
DEFAULT_VOLUME = 80
DEFAULT_RATE = 175
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play",), ("paplay",), ("aplay", "-q"))
SYNTH_TIMEOUT = 30.0


def wav_seconds(path: Path) -> float:
    """Length of a WAV file in seconds; raises wave.Error / EOFError / OSError if unreadable."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


class EspeakEngine(SpeechEngine):
    """``EspeakEngine(voice="cmn-latn-pinyin", volume=80, rate=175, binary="espeak-ng", players=PLAYERS)``.

    ``volume`` 0–100 and ``rate`` (words per minute, 80–450) are clamped to espeak-ng's range.
    """
    name = "espeak-ng"

    def __init__(self, voice: str = DEFAULT_VOICE, volume: int = DEFAULT_VOLUME, rate: int = DEFAULT_RATE, *,
                 binary: str = "espeak-ng", players: Sequence[Sequence[str]] = PLAYERS) -> None:
        self.voice = voice
        self.volume = volume
        self.rate = rate
        self.binary = binary
        self.players = tuple(tuple(p) for p in players)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._stopped = False
        self._voices: dict[str, bool] = {}

    @property
    def amplitude(self) -> int:
        """espeak-ng's ``-a`` for the volume: 0–100, clamped (louder clips; use the mixer)."""
        return max(0, min(100, int(self.volume)))

    def _binary_path(self) -> str | None:
        return shutil.which(self.binary)

    def _available(self) -> bool:
        return self._binary_path() is not None and self.has_voice()

    def has_voice(self, voice: str | None = None) -> bool:
        """True when espeak-ng lists ``voice`` (default: the configured one)."""
        voice = voice or self.voice
        if voice not in self._voices:
            exe = self._binary_path()
            if exe is None:
                return False
            lang = voice.split("-")[0].split("/")[-1]
            out = subprocess.run([exe, f"--voices={lang}"], capture_output=True, text=True, timeout=10).stdout
            names = set()
            for line in out.splitlines()[1:]:
                cols = line.split()
                if len(cols) >= 5:
                    names.add(cols[1])
                    names.add(cols[4])
                    names.add(cols[4].split("/")[-1])
            self._voices[voice] = voice in names or voice.lower() in {n.lower() for n in names}
        return self._voices[voice]

    def version(self) -> str:
        """espeak-ng's version, e.g. "1.51"; "" when not installed."""
        exe = self._binary_path()
        if exe is None:
            return ""
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout
        parts = out.split()
        return next((p for p in parts if p[:1].isdigit()), "")

    def _command(self, wav: Path | None) -> list[str]:
        rate = max(80, min(450, int(self.rate)))
        cmd = [self._binary_path() or self.binary, "-v", self.voice, "-a", str(self.amplitude), "-s", str(rate),
               "-b", "1"]
        if wav is not None:
            cmd += ["-w", str(wav)]
        return cmd + ["--stdin"]

    def _unavailable(self) -> SpeechResult | None:
        if self._binary_path() is None:
            return SpeechResult("unavailable", f"未安装 {self.binary}（Debian 软件包 espeak-ng）")
        if not self.has_voice():
            return SpeechResult("unavailable", f"{self.binary} 没有语音 {self.voice}")
        return None

    def _run(self, cmd: list[str], *, stdin: str | None, timeout: float) -> tuple[int | None, str]:
        """Run one child that stop() can end; returns (returncode or None when stopped, stderr)."""
        with self._lock:
            if self._stopped:
                return None, ""
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            self._proc = proc
        try:
            _, err = proc.communicate(stdin.encode("utf-8") if stdin is not None else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.communicate()
            return -9, f"超过 {timeout:.0f} 秒未结束"
        finally:
            with self._lock:
                self._proc = None
        if self._stopped:
            return None, ""
        return proc.returncode, err.decode("utf-8", "replace")

    def _synthesize(self, text: str, path: Path) -> SpeechResult:
        missing = self._unavailable()
        if missing:
            return missing
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".wav", prefix=".speech-", dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            result = self._synthesize_into(text, tmp_path)
            if result.status == "written":
                os.replace(tmp_path, path)
            return result
        finally:
            tmp_path.unlink(missing_ok=True)

    def _synthesize_into(self, text: str, wav: Path) -> SpeechResult:
        code, err = self._run(self._command(wav), stdin=text, timeout=SYNTH_TIMEOUT)
        if code is None:
            return SpeechResult("stopped")
        if code != 0:
            return SpeechResult("failed", f"{self.binary} 退出码 {code}：{_last_line(err)}")
        try:
            seconds = wav_seconds(wav)
        except (wave.Error, EOFError, OSError) as exc:
            return SpeechResult("failed", f"{self.binary} 没有写出有效的 WAV：{_last_line(err) or exc}")
        if seconds <= 0:
            return SpeechResult("failed", f"{self.binary} 写出的 WAV 没有声音")
        return SpeechResult("written", f"{seconds:.1f} 秒", seconds)

    def _speak(self, text: str) -> SpeechResult:
        with self._lock:
            self._stopped = False
        missing = self._unavailable()
        if missing:
            return missing
        players = [p for p in self.players if shutil.which(p[0])]
        if not players:
            return self._speak_direct(text)
        with tempfile.TemporaryDirectory(prefix="kiosk-speech-") as tmpdir:
            wav = Path(tmpdir) / "speech.wav"
            made = self._synthesize_into(text, wav)
            if made.status != "written":
                return made
            failures = []
            for player in players:
                code, err = self._run([*player, str(wav)], stdin=None, timeout=(made.seconds or 0) + 10)
                if code is None:
                    return SpeechResult("stopped", seconds=made.seconds)
                if code == 0:
                    return SpeechResult("spoken", f"{player[0]} 播放 {made.seconds:.1f} 秒", made.seconds)
                failures.append(f"{player[0]}：{_last_line(err) or f'退出码 {code}'}")
            return SpeechResult("no_audio_device", "无法播放（" + "；".join(failures) + "）", made.seconds)

    def _speak_direct(self, text: str) -> SpeechResult:
        code, err = self._run(self._command(None), stdin=text, timeout=SYNTH_TIMEOUT + 120)
        if code is None:
            return SpeechResult("stopped")
        # espeak-ng exits 0 even when it cannot open an audio device; it says so on stderr
        if code != 0 or "error" in err.lower():
            return SpeechResult("no_audio_device", f"{self.binary} 无法播放：{_last_line(err) or f'退出码 {code}'}")
        return SpeechResult("spoken", f"{self.binary} 直接播放")

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            proc = self._proc
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    # each child runs in its own session, so a player script's own children end with it
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""
