"""E-mail through QIS_SMTP_URL with aiosmtplib, one connection kept per worker."""

import contextlib
import time
from email.message import EmailMessage

import aiosmtplib

from sender.config import SmtpServer

# Servers drop idle connections; one idle longer than this is replaced rather than reused.
MAX_IDLE = 10.0


class Mailer:
    """Sends messages over one SMTP connection, opened when needed and reopened after errors."""

    def __init__(self, server: SmtpServer, *, timeout: float) -> None:
        self._server = server
        self._timeout = timeout
        self._smtp: aiosmtplib.SMTP | None = None
        self._last_used = 0.0

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and (
            not self._smtp.is_connected or time.monotonic() - self._last_used > MAX_IDLE
        ):
            await self.close()
        if self._smtp is None:
            server = self._server
            smtp = aiosmtplib.SMTP(
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.implicit_tls,
                start_tls=server.starttls,
                timeout=self._timeout,
            )
            await smtp.connect()
            self._smtp = smtp
        return self._smtp

    async def send(self, message: EmailMessage) -> None:
        """Send one message; any error closes the connection and propagates."""
        try:
            smtp = await self._connection()
            await smtp.send_message(message)
        except BaseException:
            await self.close()
            raise
        self._last_used = time.monotonic()

    async def close(self) -> None:
        """Say QUIT if the server still listens; forget the connection."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await smtp.quit(timeout=2)
            smtp.close()
