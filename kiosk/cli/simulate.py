"""Both hardware simulators in-process, for `kiosk run --simulate` and the app tests.

The reader simulator listens on 127.0.0.1 and, unless a script is given, lays
a made-up resident card on the reader a few seconds after each wait starts
and takes it away again; the printer simulator draws receipts as PNG files.
The real drivers talk to both over TCP, so the app's code path is the real one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hardware.reader.card import CardType, IdCard

# Made up: the name and number belong to nobody (checksum digit deliberately plain).
DEMO_CARD = IdCard(card_type=CardType.resident, name="张三", sex="男", nation="汉", birth_date="1980-01-01",
                   address="浙江省乐清市城南街道示例路 1 号", id_number="330382198001014210",
                   issuing_authority="乐清市公安局", valid_from="2020-01-01", valid_to="2040-01-01")


@dataclass
class Simulators:
    reader: object
    printer: object

    @property
    def reader_url(self) -> str:
        return self.reader.url

    @property
    def printer_url(self) -> str:
        return self.printer.url

    def stop(self) -> None:
        self.reader.stop()
        self.printer.stop()


def start_simulators(preview_dir: str | Path, *, script=None, profile: str = "80mm",
                     pace: bool = True) -> Simulators:
    from guides.fonts import FONT_PATH
    from hardware.printer.simulator import PrinterSimulator
    from hardware.reader.simulator import ReaderSimulator, Step

    if script is None:
        script = [Step(wait=4.0), Step(card=DEMO_CARD, after_read=3.0)]
        loop = True
    else:
        loop = False
    reader = ReaderSimulator(script, pace=pace, loop=loop)
    reader.listen_tcp(0)
    reader.start()
    printer = PrinterSimulator(profile=profile, preview_dir=preview_dir, font_path=FONT_PATH)
    printer.listen(0)
    printer.start()
    return Simulators(reader, printer)
