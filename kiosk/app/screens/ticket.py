"""取号: place the ID card, choose the service, take the printed queue ticket."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.app.controllers import tickets as t
from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KButton, KioskScreen


class TicketScreen(KioskScreen):
    state = StringProperty(t.NEED_CARD)
    message = StringProperty("")
    holder_text = StringProperty("")     # masked name and ID while choosing
    number = StringProperty("")
    details = StringProperty("")
    can_retry = BooleanProperty(False)

    def show_flow(self, flow: t.TicketFlow, can_retry: bool = False) -> None:
        self.state = flow.state
        self.message = flow.message
        self.can_retry = can_retry
        holder = flow.holder
        self.holder_text = f"{holder.masked_name}  {holder.masked_id}" if holder else ""
        if flow.ticket is not None:
            tk = flow.ticket
            self.number = tk.number
            self.details = f"{tk.queue.name}\n前面等候 {tk.waiting} 人 · {tk.time_label}"
        else:
            self.number, self.details = "", ""
        box = self.ids.queues
        if flow.state == t.CHOOSE:
            if not box.children:
                for q in flow.queues:
                    b = KButton(text=f"{q.prefix}  {q.name}", base_size=34, min_height=120)
                    b.queue = q
                    b.bind(on_release=lambda btn: self.app.choose_queue(btn.queue))
                    box.add_widget(b)
        else:
            box.clear_widgets()

    def clear_personal(self) -> None:
        self.holder_text = ""
        self.number = ""
        self.details = ""
        self.ids.queues.clear_widgets()


load_kv(__file__)
