"""An independent SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd) standing in for Gmail.

Each accepted message is saved as N.eml (the exact bytes received) and N.json (envelope).
Recipients matching --reject get "550 5.1.1", those matching --defer "450 4.2.1"; --fail-data makes
DATA answer with that reply. --tls-cert/--tls-key require STARTTLS (or, with --implicit-tls, speak TLS
from the first byte); --auth USER:PASSWORD requires AUTH (PLAIN or LOGIN); --pipelining announces
PIPELINING (RFC 2920). N.json also says whether the session was under TLS and authenticated.
Prints "READY <port>" once listening; stops on SIGTERM.
"""
import argparse
import asyncio
import itertools
import json
import os
import re
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, directory, reject, defer, fail_data, pipelining, implicit_tls):
        self.directory = directory
        self.pipelining = pipelining
        self.implicit_tls = implicit_tls
        self.reject = re.compile(reject) if reject else None
        self.defer = re.compile(defer) if defer else None
        self.fail_data = fail_data
        self.counter = itertools.count(1)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

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
                       "mail_options": envelope.mail_options,
                       "tls": self.implicit_tls or session.ssl is not None,
                       "authenticated": bool(session.authenticated)}, f)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 OK saved"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default="")
    parser.add_argument("--defer", default="")
    parser.add_argument("--fail-data", default="")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth", default="")
    parser.add_argument("--pipelining", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Handler(args.dir, args.reject, args.defer, args.fail_data, args.pipelining, args.implicit_tls)
    options = {"enable_SMTPUTF8": True, "data_size_limit": 64 * 1024 * 1024}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.implicit_tls:
            options["ssl_context"] = context
            options["auth_require_tls"] = False
        else:
            options["tls_context"] = context
            options["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            # handled=False: aiosmtpd then answers a failure with "535 5.7.8" itself.
            return AuthResult(success=ok, handled=False)

        options["authenticator"] = authenticator
        options["auth_required"] = True
    controller = Controller(handler, hostname="127.0.0.1", port=args.port, **options)
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
