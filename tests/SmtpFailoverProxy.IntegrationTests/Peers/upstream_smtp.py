"""An independent SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd) standing in for Gmail.

Each accepted message is saved as N.eml (the exact bytes received) and N.json (envelope).
Recipients matching --reject get "550 5.1.1", those matching --defer "450 4.2.1"; --fail-data makes
DATA answer with that reply.
Prints "READY <port>" once listening; stops on SIGTERM.
"""
import argparse
import asyncio
import itertools
import json
import os
import re
import signal

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, directory, reject, defer, fail_data):
        self.directory = directory
        self.reject = re.compile(reject) if reject else None
        self.defer = re.compile(defer) if defer else None
        self.fail_data = fail_data
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject.search(address):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if self.defer and self.defer.search(address):
            return f"450 4.2.1 <{address}>: Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data:
            return self.fail_data
        n = next(self.counter)
        base = os.path.join(self.directory, f"{n:05d}")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "mail_options": envelope.mail_options}, f)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 OK saved"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default="")
    parser.add_argument("--defer", default="")
    parser.add_argument("--fail-data", default="")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Handler(args.dir, args.reject, args.defer, args.fail_data), hostname="127.0.0.1", port=args.port,
                            server_kwargs={"enable_SMTPUTF8": True}, data_size_limit=64 * 1024 * 1024)
    controller.start()
    print(f"READY {args.port}", flush=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
