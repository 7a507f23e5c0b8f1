"""Card readers and receipt printers: a facade per device, real drivers, simulators.

Imports neither Flask nor Kivy and knows nothing of guides.

    from hardware.reader import open_reader      # CardReader, IdCard
    from hardware.printer import open_printer    # Printer, Receipt, PrinterStatus
    from hardware import exceptions              # every error, with .zh and .en text

Devices are named by URL (see hardware.device_url); simulators live in
hardware.reader.simulator and hardware.printer.simulator and speak the same
bytes on a pty or 127.0.0.1.
"""
