#!/usr/bin/python3
"""An SMTP server for the tests (aiosmtpd): each message it accepts is
written to the folder --dir, one file per message, its envelope first
(X-Envelope-From, X-Envelope-To) then the bytes received, so that a test
counts and reads them. --reject ADDRESS refuses that recipient with 550
(for good); while the file DIR/defer exists every recipient gets 451 (try
later); while DIR/hold exists the answer to RCPT waits (DIR/held says a
client is waiting), so a client can be killed in the middle of a send.
--tls CERT KEY speaks TLS from the first byte (smtps). Prints
"listening PORT" once it accepts connections."""
import argparse
import asyncio
import itertools
import os
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder, rejects):
        self.folder = folder
        self.rejects = {a.lower() for a in rejects}
        self.count = itertools.count(1)

    def flag(self, name):
        return os.path.exists(os.path.join(self.folder, name))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejects:
            return f"550 5.1.1 <{address}>: recipient address rejected: no such mailbox"
        while self.flag("hold"):
            open(os.path.join(self.folder, "held"), "w").close()
            await asyncio.sleep(0.05)
        if self.flag("defer"):
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"msg-{time.time_ns()}-{next(self.count)}.eml"
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        temp = os.path.join(self.folder, "." + name)
        with open(temp, "wb") as out:
            out.write(head + envelope.original_content)
        os.rename(temp, os.path.join(self.folder, name))
        return "250 2.0.0 accepted"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
    sink = Sink(args.dir, args.reject)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", loop=loop),
        "127.0.0.1",
        args.port,
        ssl=context,
    )
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
