"""A card whose name ends in a private-use character (U+E188, as some 生僻字 are coded): the queue
ticket goes through the real app, the reader simulator and the printer simulator, and the name is
printed on a raster line, not as the GB18030 user-defined code AE B1 no printer font has."""
from hardware.printer import escpos_decode as ed
from hardware.reader.card import IdCard
from kiosk.app.controllers import tickets as tk
from tests.kiosk.conftest import copy_sample_content
from tests.kiosk.harness import KioskTestCase

CARD = IdCard.from_dict({"card_type": "resident", "name": "张三\ue188", "sex": "男", "nation": "汉",
                         "birth_date": "1990-01-02", "address": "浙江省乐清市示例路1号",
                         "id_number": "330382199001024210", "issuing_authority": "乐清市公安局",
                         "valid_from": "2015-01-01", "valid_to": "长期"})


class PuaTicket(KioskTestCase):
    def test_pua_name_on_ticket_is_a_raster_line(self):
        self.start_app(copy_sample_content(self.tmp / "content"))
        self.sims.reader.place(CARD)
        self.tap(self.button("取号"))
        scr = self.screen()
        self.pump(lambda: scr.state == tk.CHOOSE)
        self.tap(self.button("A  户籍办理"))
        self.pump(lambda: scr.state == tk.DONE)
        assert self.sims.printer.wait_for_receipts(1)
        printed = bytes(self.sims.printer.received)
        assert "\ue188".encode("gb18030") not in printed, "user-defined-area code sent to the printer as text"
        ops = [op for op in self.sims.printer.receipts[0] if isinstance(op, (ed.Line, ed.RasterImage))]
        rasters = [i for i, op in enumerate(ops) if isinstance(op, ed.RasterImage)]
        assert len(rasters) == 1  # the name row, and only it
        assert ops[rasters[0] + 1].text.startswith("证件号码") and "330382********4210" in ops[rasters[0] + 1].text
        assert not [op for op in ops if isinstance(op, ed.Line) and "张" in op.text]
