"""What a delivery says: the e-mail and the webhook body of an outbox row."""

import json
from email.message import EmailMessage
from email.utils import formatdate

from domain.durations import SHANGHAI
from sender.claim import Job
from sender.config import SenderConfig
from sender.recipients import recipient_label

EVENT_TYPE = "project.notification"
FOOTER = "——\n本邮件由上海市质量基础设施集成服务项目管理平台（QIS）自动发送，请勿直接回复。"


def text_body(job: Job, link: str) -> str:
    """The message text: the row's body (what is due and when), the project and its link."""
    return (
        f"{job.body.strip()}\n\n"
        f"项目：{job.project_name}（编号 {job.project_id}）\n"
        f"查看项目：{link}\n"
        f"通知时间：{job.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}（北京时间）\n\n"
        f"{FOOTER}\n"
    )


def email_message(job: Job, config: SenderConfig) -> EmailMessage:
    """The e-mail to one address; its Message-ID is the same on every attempt."""
    message = EmailMessage()
    message["From"] = config.mail_from
    message["To"] = job.address
    message["Subject"] = job.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = config.mail_from.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{job.message_id}.{job.delivery_id}@{domain}>"
    message["X-QIS-Project"] = job.project_id
    message.set_content(text_body(job, config.project_link(job.project_id)), cte="base64")
    return message


def webhook_body(job: Job, config: SenderConfig) -> str:
    """The JSON a webhook receives (Standard Webhooks' type / timestamp / data shape)."""
    link = config.project_link(job.project_id)
    payload = {
        "type": EVENT_TYPE,
        "timestamp": job.created_at.isoformat(),
        "data": {
            "event": job.key,
            "project_id": job.project_id,
            "project_name": job.project_name,
            "recipient": {
                "role": job.recipient_role,
                "district": job.recipient_district,
                "credit_code": job.recipient_credit_code,
                "label": recipient_label(
                    job.recipient_role, job.recipient_district, job.recipient_credit_code
                ),
            },
            "subject": job.subject,
            "text": job.body,
            "link": link,
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
