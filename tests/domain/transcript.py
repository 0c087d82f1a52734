"""Effects and history rendered as one line each, to compare whole scripts of a lifecycle."""

from collections.abc import Sequence

from domain.effects import (
    Effect,
    EndName,
    GrantName,
    Notify,
    OweData,
    Recipient,
    RecordData,
    RecordDecision,
)
from domain.state import HistoryEntry


def _recipient(r: Recipient) -> str:
    return r.role.value + "".join(f":{x}" for x in (r.district, r.credit_code) if x)


def effect_line(effect: Effect) -> str:
    if isinstance(effect, Notify):
        to = ",".join(_recipient(r) for r in effect.recipients)
        return f"notify {effect.key} → {to} | {effect.subject} | {effect.body}"
    if isinstance(effect, GrantName):
        n = effect.name
        return f"grant {n.key} {n.level.value} {n.granted_on} by {n.granted_by.value} | {n.name}"
    if isinstance(effect, EndName):
        e = effect.ending
        return f"end {effect.name_key} {e.kind} {e.on} by {e.by.value} | {e.reason}"
    if isinstance(effect, OweData):
        return (
            f"owe {effect.key} {effect.district} {effect.period} due {effect.due_at:%Y-%m-%d %H:%M}"
        )
    if isinstance(effect, RecordData):
        on_time = "on time" if effect.on_time else "late"
        return (
            f"data {effect.key} {effect.period} {on_time} smes={effect.smes_served} "
            f"services={sorted(effect.services.items())}"
        )
    assert isinstance(effect, RecordDecision)
    return "record " + history_line(effect.entry)


def history_line(entry: HistoryEntry) -> str:
    who = entry.actor.role.value if entry.actor else "-"
    return (
        f"{entry.seq} {entry.at:%Y-%m-%d %H:%M} {entry.event} by {who} "
        f"{entry.stage_before.value}→{entry.stage_after.value} | {entry.summary}"
    )


def lines(effects: Sequence[Effect]) -> list[str]:
    return [effect_line(e) for e in effects]
