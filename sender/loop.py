"""The sender's loop: a planner turning outbox rows into deliveries, workers sending them.

Each worker holds at most one delivery at a time (claimed and locked in its own transaction,
sent, recorded, committed). Stopping lets every worker finish the delivery it holds.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import aiosmtplib
import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from db import tables
from db.engine import make_session_factory, pooled_engine
from sender import webhook
from sender.claim import Job, claim, next_due, record_failure, record_sent
from sender.config import SenderConfig
from sender.mail import Mailer
from sender.message import email_message, webhook_body
from sender.plan import clear_mail_blocked, mark_mail_blocked, plan_batch
from sender.status import NO_SMTP, Channel
from sender.wakeup import Wakeup, listening

log = logging.getLogger(__name__)

ERROR_PAUSE = 1.0  # after an unexpected error (say, the database went away), before trying again
MIN_WAIT = 0.05


@dataclass
class Counts:
    """What this sender did since it started."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


class Sender:
    """Delivers the outbox of one database until told to stop."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, config: SenderConfig
    ) -> None:
        self._sessions = sessions
        self._engine = engine
        self._config = config
        self._channels = [Channel.WEBHOOK] + ([Channel.EMAIL] if config.smtp else [])
        self._work = Wakeup()
        self._plan = Wakeup()
        self._contacts_changed = True
        self.counts = Counts()

    def _on_notify(self, payload: str) -> None:
        if payload == "deliveries":
            self._work.wake()
            return
        if payload == "contacts":
            self._contacts_changed = True
        self._plan.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then finish what is held and return."""
        await self._report_start()
        async with (
            httpx.AsyncClient(timeout=self._config.timeout) as http,
            listening(self._engine, self._on_notify),
        ):
            tasks = [asyncio.create_task(self._planner(stop), name="sender planner")]
            tasks += [
                asyncio.create_task(self._worker(stop, http), name=f"sender worker {i}")
                for i in range(self._config.concurrency)
            ]
            await stop.wait()
            self._work.wake()
            self._plan.wake()
            await asyncio.wait(tasks)
        log.info(
            "发送程序已停止：送达 %d，待重试 %d，放弃 %d / sender stopped",
            self.counts.sent,
            self.counts.retried,
            self.counts.failed,
        )

    # --- start-up report ---------------------------------------------------------------------

    async def _report_start(self) -> None:
        config = self._config
        if config.smtp is None:
            log.warning("QIS_SMTP_URL 未设置：%s / e-mail is not sent", NO_SMTP)
        else:
            log.info(
                "邮件经 %s 发出，发件人 %s / mail server", config.smtp.shown(), config.mail_from
            )
        async with self._sessions.begin() as session:
            if config.smtp is not None:
                await clear_mail_blocked(session)
            problems = await session.execute(
                select(tables.Notification.delivery_problem, func.count())
                .where(
                    tables.Notification.planned_at.is_(None),
                    tables.Notification.delivery_problem.is_not(None),
                )
                .group_by(tables.Notification.delivery_problem)
            )
            for problem, count in problems:
                log.warning("%d 条通知无法投递：%s", count, problem)
        log.info(
            "发送程序已启动：%d 个并发，最多尝试 %d 次，链接指向 %s / sender started",
            config.concurrency,
            config.max_attempts,
            config.public_url,
        )

    # --- planning ----------------------------------------------------------------------------

    async def _planner(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        last_recheck = loop.time()
        while not stop.is_set():
            ticket = self._plan.ticket()
            recheck = self._contacts_changed or loop.time() - last_recheck >= (
                self._config.recheck_interval
            )
            if recheck:
                self._contacts_changed = False
                last_recheck = loop.time()
            try:
                await self._plan_all(recheck=recheck)
            except Exception:
                log.exception("规划投递时出错，稍后重试 / planning failed")
                await Wakeup.wait(ticket, ERROR_PAUSE)
                continue
            wait = self._config.recheck_interval - (loop.time() - last_recheck)
            await Wakeup.wait(ticket, max(wait, MIN_WAIT))

    async def _plan_all(self, *, recheck: bool) -> None:
        after, planned = 0, 0
        while True:
            async with self._sessions.begin() as session:
                result = await plan_batch(session, recheck=recheck, after=after)
                if self._config.smtp is None:
                    await mark_mail_blocked(session)
            for row_id, problem in result.undeliverable.items():
                log.warning("通知 %d 无法投递：%s", row_id, problem)
            planned += result.deliveries
            after = result.last_id
            if result.deliveries:
                self._work.wake()
            if not result.more:
                break
        if planned:
            log.debug("planned %d deliveries", planned)

    # --- delivering --------------------------------------------------------------------------

    async def _worker(self, stop: asyncio.Event, http: httpx.AsyncClient) -> None:
        smtp = self._config.smtp
        mailer = Mailer(smtp, timeout=self._config.timeout) if smtp else None
        try:
            while not stop.is_set():
                ticket = self._work.ticket()
                try:
                    if await self._deliver_one(mailer, http):
                        continue
                    wait = await self._idle_wait()
                except Exception:
                    log.exception("投递时出错，稍后重试 / delivery loop failed")
                    wait = ERROR_PAUSE
                await Wakeup.wait(ticket, wait)
        finally:
            if mailer is not None:
                await mailer.close()

    async def _idle_wait(self) -> float:
        async with self._sessions() as session:
            due = await next_due(session, self._channels)
            now: datetime | None = await session.scalar(select(func.now()))
        if due is None or now is None:
            return self._config.idle_poll
        return min(max((due - now).total_seconds(), MIN_WAIT), self._config.idle_poll)

    async def _deliver_one(self, mailer: Mailer | None, http: httpx.AsyncClient) -> bool:
        """Claim, send and record one delivery; False when none is due."""
        config = self._config
        async with self._sessions.begin() as session:
            job = await claim(session, self._channels)
            if job is None:
                return False
            error, permanent = await self._attempt(job, mailer, http)
            if error is None:
                await record_sent(session, job)
                self.counts.sent += 1
                return True
            gave_up = await record_failure(
                session,
                job,
                error,
                max_attempts=config.max_attempts,
                retry_base=config.retry_base,
                retry_max=config.retry_max,
                permanent=permanent,
            )
        where = f"{job.channel.label} {job.address}（投递 {job.delivery_id}，第 {job.attempt} 次）"
        if gave_up:
            self.counts.failed += 1
            log.error(
                "投递失败，已放弃：%s：%s（qis outbox retry %d 可重发）",
                where,
                error,
                job.delivery_id,
            )
        else:
            self.counts.retried += 1
            log.warning("投递未成功，稍后重试：%s：%s", where, error)
        return True

    async def _attempt(
        self, job: Job, mailer: Mailer | None, http: httpx.AsyncClient
    ) -> tuple[str | None, bool]:
        """Send once; (None, False) on success, else the error in Chinese and whether it is final."""
        config = self._config
        try:
            if job.channel is Channel.EMAIL:
                if mailer is None:
                    return NO_SMTP, False
                await mailer.send(email_message(job, config))
            else:
                if job.webhook_secret is None:
                    return "该 webhook 已不再登记（联系方式已更改），无法签名", True
                await webhook.post(
                    http,
                    job.address,
                    secret=job.webhook_secret,
                    message_id=job.message_id,
                    body=webhook_body(job, config),
                )
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError) as err:
            return f"无法连接邮件服务器：{err}", False
        except aiosmtplib.SMTPException as err:
            return f"邮件服务器拒绝或断开：{err}", False
        except webhook.WebhookRejected as err:
            return f"接收方拒绝：{err}", False
        except httpx.HTTPError as err:
            return f"无法送达 webhook：{type(err).__name__} {err}", False
        except (OSError, TimeoutError) as err:
            return f"无法连接：{type(err).__name__} {err}", False
        return None, False


def make_sender_engine(database_url: str, config: SenderConfig) -> AsyncEngine:
    """An engine with a connection per worker, one for the planner and one to LISTEN on."""
    return pooled_engine(database_url, pool_size=config.concurrency + 2, max_overflow=2)


async def serve(database_url: str, config: SenderConfig, stop: asyncio.Event | None = None) -> None:
    """Run a sender until `stop` is set or the task is cancelled; either way held work finishes."""
    stop = stop or asyncio.Event()
    engine = make_sender_engine(database_url, config)
    sender = Sender(make_session_factory(engine), engine, config)
    task = asyncio.create_task(sender.run(stop), name="sender")
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # The run command cancels its services: the sender finishes what it holds first.
        stop.set()
        await task
        raise
    finally:
        await engine.dispose()
