"""取号 (queue ticket) on the touch screen: read the ID card, check the printer, issue and
print the number, then forget the card holder.

Plain Python; the host provides `ticket_flow` (a tickets.TicketFlow), `session`, `devices`,
`current`, `screen(name)`, `guard` (a once.ActionGuard), `offer_rating(source, subject, note)` (after the ticket prints) and the `nav` and `read_aloud`
controllers. The flow's prompts (请将身份证放在读卡区, a card fault and what to do, the number
printed) are spoken when voice prompts are on; nothing read from the card is ever spoken. A card read
or a ticket runs once at a time: a repeated tap while it runs is ignored. Device results may arrive after the person
left: each carries the session generation it was started in and is dropped when that changed.
"""
from __future__ import annotations

from functools import partial

from kiosk import messages
from kiosk.app.controllers import tickets as tk


class QueueTicket:
    """The 取号 flow around the TicketFlow state machine."""

    def __init__(self, host) -> None:
        self.host = host
        self.read_job = None

    def open_ticket(self) -> None:
        """Show the ticket screen and start waiting for an ID card."""
        host = self.host
        flow = host.ticket_flow
        if self.read_job is not None and host.current == "ticket" and flow.state == tk.READING:
            return  # already waiting for a card: a repeat must not restart the read
        self.cancel_card_read()
        host.session.holder = None
        flow.start()
        scr = host.screen("ticket")
        scr.show_flow(flow)
        if host.current != "ticket":
            host.nav.go("ticket")
        host.nav.last_args = {}
        generation = host.session.generation
        host.read_aloud.prompt(flow.message)
        self.read_job = host.devices.read_card(partial(self.card_result, generation))

    def card_result(self, generation: int, outcome) -> None:
        host = self.host
        self.read_job = None
        if generation != host.session.generation or host.ticket_flow.state != tk.READING:
            return  # the person left (idle reset, back): whatever was read is dropped
        if outcome.detail == "cancelled":
            return
        flow = host.ticket_flow
        if outcome.ok:
            host.session.holder = outcome.value
            flow.card_read(outcome.value)
        else:
            flow.card_failed(outcome.message)
            host.read_aloud.prompt(flow.message)
        host.screen("ticket").show_flow(flow, can_retry=not outcome.ok)

    def cancel_card_read(self) -> None:
        if self.read_job is not None:
            self.read_job.cancel()
            self.read_job = None

    def choose_queue(self, queue: tk.Queue) -> None:
        """Issue a number in `queue` once the printer is ready, and print it."""
        host = self.host
        flow = host.ticket_flow
        if flow.state != tk.CHOOSE or not host.guard.begin("ticket"):
            return
        generation = host.session.generation
        scr = host.screen("ticket")
        scr.message = "正在检查打印机，请稍候"

        def checked(outcome) -> None:
            if generation != host.session.generation or flow.state != tk.CHOOSE:
                host.guard.end("ticket")
                return
            if not outcome.ok:
                host.guard.end("ticket")
                flow.not_issued(messages.TICKET_NOT_ISSUED)
                self.end_ticket(keep_screen=True)
                scr.show_flow(flow, can_retry=False)
                host.read_aloud.prompt(flow.message)
                return
            ticket = flow.choose(queue)
            host.session.ticket = ticket
            scr.show_flow(flow)
            from kiosk.app.ticket_receipt import ticket_receipt
            host.devices.print_receipt(ticket_receipt(ticket), printed, for_ticket=True)

        def printed(outcome) -> None:
            host.guard.end("ticket")
            if generation != host.session.generation:
                return
            number = getattr(host.session.ticket, "number", "")
            if outcome.ok:
                flow.printed()
            else:
                flow.print_failed(outcome.message)
            # finished: the holder's data goes now; the number stays on screen
            self.end_ticket(keep_screen=True)
            scr.show_flow(flow)
            host.read_aloud.prompt(flow.message)
            if outcome.ok:  # the ticket is in the person's hand: ask for the rating (skippable)
                host.offer_rating("ticket", queue.prefix, f"您的号码 {number} 已打印，请取走号票。")
        host.devices.printer_status(checked)

    def end_ticket(self, keep_screen: bool = False) -> None:
        """Drop the card holder's data from the session, the flow and every screen."""
        host = self.host
        self.cancel_card_read()
        host.session.end_ticket()
        flow = host.ticket_flow
        scr = host.screen("ticket")
        if keep_screen:
            flow.forget_holder()
            scr.holder_text = ""
        else:
            flow.wipe()
            scr.clear_personal()
