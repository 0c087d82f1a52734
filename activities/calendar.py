"""The work calendar a process counts its legal deadlines on, read outside the workflow
(docs/deadlines.md): the `chinese-calendar` package's holidays plus the policy's additions."""

from pydantic import BaseModel, ConfigDict
from temporalio import activity

from domain.workdays import CalendarAdditions, WorkCalendar, package_calendar


class CalendarRequest(BaseModel):
    """The years to load, and the dates the process's policy adds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_year: int
    last_year: int
    additions: CalendarAdditions = CalendarAdditions()


@activity.defn(name="load_work_calendar")
async def load_work_calendar(request: CalendarRequest) -> WorkCalendar:
    """Holidays and make-up working days of the years asked for; reads no database, so it
    runs as a local activity and is safe to repeat."""
    calendar = package_calendar(request.first_year, request.last_year)
    return calendar.with_additions(request.additions)
