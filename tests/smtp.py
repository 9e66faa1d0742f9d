"""A real SMTP server on loopback for the e-mail tests (aiosmtpd in a thread).

The app sends to it over TCP with Django's SMTP backend, as it sends to the
municipality's relay in production. Handlers here can refuse an address or
stop the server after a number of messages, to show what a run does when
the mail server fails half-way.
"""

import email
import email.policy
import logging
import socket

from aiosmtpd.controller import Controller

# aiosmtpd logs every command at INFO; a failing test shows enough without them.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Received:
    """One message as the server got it: envelope and parsed MIME."""

    def __init__(self, envelope):
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.raw = envelope.original_content or envelope.content
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self):
        return str(self.message["Subject"]).strip()

    def part(self, content_type):
        return self.message.get_body(preferencelist=(content_type.split("/")[1],)).get_content()

    @property
    def text(self):
        return self.part("text/plain")

    @property
    def html(self):
        return self.part("text/html")


class Handler:
    """Accepts everything, except the addresses in `refuse` (550), and after
    `stop_after` messages stops listening and drops the connection, as a
    server that goes down in the middle of a run."""

    def __init__(self, *, refuse=(), stop_after=None, drop_after=None):
        self.received = []
        self.refuse = {address.lower() for address in refuse}
        self.stop_after = stop_after
        self.drop_after = drop_after
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope))
        count = len(self.received)
        if self.stop_after is not None and count >= self.stop_after:
            # No new connections from now on, and this one ends right after
            # the reply: the message was accepted, the rest cannot be.
            self.controller.server.close()
            self.controller.loop.call_soon(server.transport.close)
        elif self.drop_after is not None and count % self.drop_after == 0:
            # The connection ends, but the server keeps listening.
            self.controller.loop.call_soon(server.transport.close)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, handler=None):
        self.handler = handler or Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.handler.controller = self.controller

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop(no_assert=True)

    @property
    def received(self):
        return self.handler.received

    def to(self, address):
        return [m for m in self.received if address in m.recipients]


def use_smtp(settings, server_or_port):
    """Point Django's SMTP backend at a server on loopback."""
    port = server_or_port if isinstance(server_or_port, int) else server_or_port.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
