"""The words of delivery: channels and states, with their Chinese labels."""

from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"

    @property
    def label(self) -> str:
        return "邮件" if self is Channel.EMAIL else "Webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxState(StrEnum):
    """What `qis outbox list` says about an entry."""

    DELIVERED = "delivered"
    WAITING = "waiting"
    RETRYING = "retrying"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return OUTBOX_STATE_LABELS[self]


OUTBOX_STATE_LABELS = {
    OutboxState.DELIVERED: "已送达",
    OutboxState.WAITING: "等待发送",
    OutboxState.RETRYING: "重试中",
    OutboxState.UNDELIVERABLE: "无法投递",
    OutboxState.FAILED: "已放弃",
}

NO_SMTP = "未配置邮件服务器（QIS_SMTP_URL），邮件暂不发送；配置后重启发送程序即发出"
