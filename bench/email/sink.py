"""A local SMTP server for the email benchmark: aiosmtpd, keeping only a count of messages and
recipients (and how many recipients arrived twice). Prints the counts when stopped (SIGTERM).

Usage: sink.py PORT"""
import asyncio, signal, sys
from aiosmtpd.controller import Controller

class Count:
    def __init__(self):
        self.messages = 0
        self.recipients = set()
        self.repeats = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.recipients:
                self.repeats += 1
            self.recipients.add(rcpt)
        return "250 OK"

handler = Count()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
stop = asyncio.Event()
loop = asyncio.new_event_loop()
loop.add_signal_handler(signal.SIGTERM, stop.set)
loop.run_until_complete(stop.wait())
controller.stop()
print(f"sink: {handler.messages} messages, {len(handler.recipients)} recipients, {handler.repeats} repeated", flush=True)
