"""Forms generated from declarations and body models: every declared action gets one, every
control has a label, and any body model (nested, optional, lists, dates, maps) can be read back."""

from collections.abc import Sequence
from datetime import date
from html.parser import HTMLParser
from typing import Annotated

from pydantic import BaseModel, Field

from console.actions import action_form, action_forms
from console.fields import Field as FormField
from console.fields import fields_of
from console.posts import typed, validate
from console.routes.project import ShownForm
from console.templating import templates
from domain.actions import DECLARATIONS
from domain.decisions import Note
from domain.elements import Element
from domain.project import BasicConditions, Contact, ServiceItem


class Controls(HTMLParser):
    """The form controls of a page and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.inside_label = 0
        self.forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(attributes.get("action") or "")
        if tag == "label":
            self.inside_label += 1
            if attributes.get("for"):
                self.labelled.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append({**attributes, "wrapped": "yes" if self.inside_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.inside_label -= 1


def rendered(action_name: str) -> Controls:
    form = action_form(next(s.action for s in DECLARATIONS if s.action.value == action_name))
    macro = templates.env.get_template("_fields.html").module.action_form  # type: ignore[attr-defined]
    parser = Controls()
    parser.feed(str(macro(ShownForm(form, key="k"), "p1", "c")))
    return parser


def leaf_names(model: type[BaseModel], prefix: str = "") -> set[str]:
    return {
        f.path
        for f in _walk(fields_of(model, prefix))
        if f.kind not in ("group", "rows")  # groups are named by their inputs
    }


def _walk(fields: Sequence[FormField]) -> list[FormField]:
    found: list[FormField] = []
    for f in fields:
        found.append(f)
        found.extend(_walk(f.children))
    return found


def test_every_declared_action_gets_a_form_with_a_label_on_every_field() -> None:
    assert [f.action for f in action_forms()] == [spec.action for spec in DECLARATIONS]
    for spec in DECLARATIONS:
        page = rendered(spec.action.value)
        assert page.forms == [f"/console/projects/p1/actions/{spec.action.value}"]
        names = {str(c["name"]) for c in page.controls}
        assert names == leaf_names(action_form(spec.action).body), spec.action
        for control in page.controls:
            assert control["wrapped"] or control["id"] in page.labelled, (spec.action, control)


def test_the_labels_are_chinese() -> None:
    for form in action_forms():
        for f in _walk(form.fields):
            assert any("\u4e00" <= c <= "\u9fff" for c in f.label), (form.action, f.path)


class Profile(BaseModel):
    """A body of the kind other actions bring: optional nested objects, lists, maps, dates."""

    period: Annotated[str, Field(min_length=4, max_length=4)]
    smes_served: Annotated[int, Field(ge=0)]
    contact: Contact | None = None
    service_items: list[ServiceItem] | None = None
    basic_conditions: BasicConditions | None = None
    services: dict[Element, int] = Field(default_factory=dict)
    started_on: date | None = None
    tags: list[str] = Field(default_factory=list)
    public: bool = False
    note: Note = None


def test_any_body_model_gets_proper_inputs() -> None:
    kinds = {f.key: f.kind for f in fields_of(Profile)}
    assert kinds == {
        "period": "text",
        "smes_served": "number",
        "contact": "group",
        "service_items": "rows",
        "basic_conditions": "group",
        "services": "group",  # one number per element
        "started_on": "date",
        "tags": "lines",
        "public": "yesno",
        "note": "textarea",
    }
    element = next(f for f in _walk(fields_of(Profile)) if f.path == "service_items[0].element")
    assert ("metrology", "计量") in element.choices
    services = next(f for f in fields_of(Profile) if f.key == "services")
    assert [(f.path, f.label, f.kind) for f in services.children][:2] == [
        ("services.metrology", "计量", "number"),
        ("services.standards", "标准", "number"),
    ]


def test_a_post_reads_back_into_the_body_leaving_out_what_was_not_filled() -> None:
    fields = fields_of(Profile)
    posted = {
        "period": "2026",
        "smes_served": "12",
        "contact.person": "李四",
        "contact.phone": "021-11111111",
        "contact.email": "li@example.cn",
        "services.metrology": "3",
        "services.standards": "",
        "tags": "甲\n\n乙\n",
        "public": "true",
        "started_on": "2026-05-10",
        "service_items[0].element": "",
        "service_items[0].title": "",
    }
    body, refusal = validate(Profile, fields, posted)
    assert not refusal
    assert body == Profile(
        period="2026",
        smes_served=12,
        contact=Contact(person="李四", phone="021-11111111", email="li@example.cn"),
        services={Element.METROLOGY: 3},
        tags=["甲", "乙"],
        public=True,
        started_on=date(2026, 5, 10),
    )


def test_wrong_input_is_refused_beside_its_field_in_the_apis_words() -> None:
    fields = fields_of(Profile)
    posted = {
        "period": "2026",
        "smes_served": "-1",
        "services.metrology": "很多",
        "public": "false",
    }
    body, refusal = validate(Profile, fields, posted)
    assert body is None
    assert set(refusal.fields) == {"smes_served", "services.metrology"}
    body, refusal = validate(Profile, fields, {**posted, "services.metrology": ""})
    assert body is None
    assert refusal.fields == {"smes_served": "smes_served（服务中小企业数）：不能小于0"}
    assert typed({**posted, "csrf": "x"}) == posted
