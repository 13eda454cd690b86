"""The consultation builder: texts, plan, period, plan area (upload or drawn), categories,
questions, moderation, contact and documents. Rules live in ``lifecycle``; this only asks
and shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas
import streamlit as st
from shapely.geometry.base import BaseGeometry
from streamlit_folium import st_folium

from ..planning import documents, planprocess
from .. import geo
from ..config import Settings
from ..planning.documents import MAX_BYTES as MAX_DOCUMENT_BYTES
from ..errors import InvalidArea, KartinnspillError
from ..i18n import LOCAL_TZ, t
from ..i18n import DEFAULT_LANG, LANGUAGES
from ..planning.lifecycle import CATEGORY_MAX, TRANSLATED, ConsultationForm, save, slugify
from ..model import (
    QUESTION_TEXT_MAX,
    Consultation,
    Contact,
    DocumentKind,
    MerknadRecipient,
    Moderation,
    PlanType,
    Proposer,
    Question,
    QuestionKind,
    Shape,
    Stage,
    User,
)
from ..store import CaseFacts, Store
from ..text import escape_markdown, has_remote_images, without_remote_images
from . import case_facts, embed, flash, layers, mail_forms, medvirkning, safe
from .maps import area_map, draw_map

_MB = 1024 * 1024  # Streamlit's upload sizes are in these megabytes

STAFF_PAGE = "pages/saksbehandling.py"
DEFAULT_WEEKS = 6
OTHER_LANGUAGES = tuple(code for code in LANGUAGES if code != DEFAULT_LANG)
CONTACT_FIELDS = ("name", "role", "email", "phone")
PROPOSER_FIELDS = ("name", "consultant", "recipient", "address")
_SAVED = "builder-saved"  # where «saved» and its warnings are shown after the reload


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def _defaults(c: Consultation | None, settings: Settings, lang: str) -> dict[str, object]:
    """Starting values of the widgets: the consultation's, or sensible ones for a new one."""
    today = datetime.now(LOCAL_TZ).date()
    if c is None:
        return {
            "title": "",
            "id": "",
            "summary": "",
            "body": "",
            "plan_type": PlanType.TETTSTEDSUTVIKLING,
            "plan_id": "",
            "stage": Stage.IDEFASE,
            "opens_date": today,
            "opens_time": time(0, 0),
            # a working day: a formal høring's frist on a weekend would need confirming
            "closes_date": planprocess.next_working_day(today + timedelta(weeks=DEFAULT_WEEKS)),
            "closes_time": time(23, 59),
            "case_number": "",
            "announced_on": None,
            "announced_where": "",
            "categories": "\n".join(settings.profile.categories),
            "questions": [],
            "moderation": Moderation.POST,
            "shapes": [Shape.POINT.value],
            **_person_defaults(Contact(), Proposer()),
            **{f"{lang}_{name}": "" for lang in OTHER_LANGUAGES for name in TRANSLATED},
        }
    opens, closes = c.opens_at.astimezone(LOCAL_TZ), c.closes_at.astimezone(LOCAL_TZ)
    return {
        "title": c.title,
        "id": c.id,
        "summary": c.summary,
        "body": c.body,
        "plan_type": c.plan_type,
        "plan_id": c.plan_id,
        "stage": c.stage,
        "opens_date": opens.date(),
        "opens_time": opens.time().replace(second=0, microsecond=0),
        "closes_date": closes.date(),
        "closes_time": closes.time().replace(second=0, microsecond=0),
        "case_number": c.case_number,
        "announced_on": c.announced_on,
        "announced_where": c.announced_where,
        "categories": "\n".join(c.categories),
        "questions": [
            {"id": q.id, "text": q.text, "kind": q.kind.value, "options": "; ".join(q.options)} for q in c.questions
        ],
        "moderation": c.moderation,
        "shapes": [s.value for s in c.shapes],
        **_person_defaults(c.contact, c.proposer),
        **{
            f"{lang}_{name}": c.translations.get(lang, {}).get(name, "")
            for lang in OTHER_LANGUAGES
            for name in TRANSLATED
        },
        **_label_defaults(c),
    }


def _label_defaults(c: Consultation) -> dict[str, str]:
    """The saved translations of categories and questions, one widget each."""
    values = {}
    for code in OTHER_LANGUAGES:
        given = c.translations.get(code, {})
        for category, text in given.get("categories", {}).items():
            values[f"{code}_category_{category}"] = text
        for qid, parts in given.get("questions", {}).items():
            values[f"{code}_question_{qid}"] = parts.get("text", "")
            values[f"{code}_options_{qid}"] = "; ".join(parts.get("options", ()))
    return values


def _options(text: str) -> tuple[str, ...]:
    """Answer options as staff type them: separated by semicolons."""
    return tuple(o.strip() for o in text.split(";") if o.strip())


def _person_defaults(contact: Contact, proposer: Proposer) -> dict[str, object]:
    return {
        **{f"contact_{name}": getattr(contact, name) for name in CONTACT_FIELDS},
        **{f"proposer_{name}": getattr(proposer, name) for name in PROPOSER_FIELDS},
    }


class Builder:
    """Widget state for one consultation being written (``key`` "new" or its id)."""

    def __init__(self, store: Store, settings: Settings, existing: Consultation | None, lang: str):
        self.store, self.settings, self.existing, self.lang = store, settings, existing, lang
        self.prefix = f"builder-{existing.id if existing else 'new'}"
        state = st.session_state
        if f"{self.prefix}-ready" not in state:
            for name, value in _defaults(existing, settings, lang).items():
                state[self.key(name)] = value
            facts = store.case_facts(existing.id) if existing else CaseFacts()
            for name, value in case_facts.defaults(facts).items():
                state[self.key(name)] = value
            state[self.key("area")] = existing.area if existing else None
            state[self.key("area_source")] = t("builder.source_saved", lang) if existing else ""
            state[f"{self.prefix}-ready"] = True

    def key(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def value(self, name: str):
        return st.session_state.get(self.key(name))

    # -- sections ----------------------------------------------------------------------

    def texts(self) -> None:
        lang = self.lang
        st.subheader(t("builder.section_texts", lang), anchor=False)
        st.text_input(t("builder.title", lang), key=self.key("title"), max_chars=200)
        editable_id = self.existing is None or self.existing.status.value == "draft"
        if self.existing is None and not self.value("id_touched"):
            title = (self.value("title") or "").strip()
            st.session_state[self.key("id")] = slugify(title) if title else ""
        st.text_input(
            t("builder.id", lang),
            key=self.key("id"),
            help=t("builder.id_help", lang),
            disabled=not editable_id,
            on_change=lambda: st.session_state.__setitem__(self.key("id_touched"), True),
        )
        st.text_area(t("builder.summary", lang), key=self.key("summary"), max_chars=600)
        write, preview = st.tabs([t("builder.write", lang), t("builder.preview", lang)])
        with write:
            st.text_area(t("builder.body", lang), key=self.key("body"), height=260)
        body = self.value("body") or ""
        translated = [self.value(f"{code}_body") or "" for code in OTHER_LANGUAGES]
        if any(has_remote_images(text) for text in [body, *translated]):
            st.warning(t("builder.remote_images", lang))
        with preview:
            st.markdown(without_remote_images(body))

    def translations(self) -> None:
        lang = self.lang
        with st.expander(t("builder.section_translations", lang)):
            st.caption(t("builder.translations_help", lang))
            tabs = st.tabs([t(f"language.{code}", code) for code in OTHER_LANGUAGES])
            for tab, code in zip(tabs, OTHER_LANGUAGES, strict=True):
                with tab:
                    st.text_input(t("builder.title", lang), key=self.key(f"{code}_title"), max_chars=200)
                    st.text_area(t("builder.summary", lang), key=self.key(f"{code}_summary"), max_chars=600)
                    st.text_area(t("builder.body", lang), key=self.key(f"{code}_body"), height=200)
                    self._label_translations(code)

    def _categories(self) -> list[str]:
        return [c.strip() for c in (self.value("categories") or "").splitlines() if c.strip()]

    def _label_translations(self, code: str) -> None:
        """A field per category and per question (and its options) as written above."""
        lang = self.lang
        st.markdown(f"**{t('translated_labels.categories', lang)}**")
        st.caption(t("translated_labels.categories_help", lang))
        for category in dict.fromkeys(self._categories()):
            st.text_input(
                escape_markdown(category), key=self.key(f"{code}_category_{category}"), max_chars=CATEGORY_MAX
            )
        if questions := self._questions():
            st.markdown(f"**{t('translated_labels.questions', lang)}**")
        for q in questions:
            st.text_input(escape_markdown(q.text), key=self.key(f"{code}_question_{q.id}"), max_chars=QUESTION_TEXT_MAX)
            if q.options:
                label = t("translated_labels.question_options", lang, question=q.text, options="; ".join(q.options))
                st.text_input(escape_markdown(label), key=self.key(f"{code}_options_{q.id}"))

    def plan(self) -> None:
        lang = self.lang
        st.subheader(t("builder.section_plan", lang), anchor=False)
        left, right = st.columns(2)
        left.selectbox(
            t("builder.plan_type", lang),
            options=list(PlanType),
            format_func=lambda v: t(f"plan_type.{v.value}", lang),
            key=self.key("plan_type"),
        )
        right.text_input(t("builder.plan_id", lang), key=self.key("plan_id"), help=t("builder.plan_id_help", lang))
        st.selectbox(
            t("builder.stage", lang),
            options=list(Stage),
            format_func=lambda v: t(f"stage.{v.value}", lang),
            key=self.key("stage"),
        )
        formal = planprocess.mode(self.value("stage")) == planprocess.Mode.FORMAL
        st.caption(t(f"plan_process.builder.mode_{'formal' if formal else 'early'}", lang))
        case, announced, where = st.columns([1, 1, 2])
        case.text_input(
            t("plan_process.builder.case_number", lang),
            key=self.key("case_number"),
            help=t("plan_process.builder.case_number_help", lang),
        )
        announced.date_input(
            t("plan_process.builder.announced_on", lang),
            key=self.key("announced_on"),
            format="DD.MM.YYYY",
            help=t("plan_process.builder.announced_on_help", lang),
        )
        where.text_input(t("plan_process.builder.announced_where", lang), key=self.key("announced_where"))
        dates = st.columns(4)
        dates[0].date_input(t("builder.opens_date", lang), key=self.key("opens_date"), format="DD.MM.YYYY")
        dates[1].time_input(t("builder.opens_time", lang), key=self.key("opens_time"), step=900)
        dates[2].date_input(t("builder.closes_date", lang), key=self.key("closes_date"), format="DD.MM.YYYY")
        dates[3].time_input(t("builder.closes_time", lang), key=self.key("closes_time"), step=60)
        self._moved_frist()
        case_facts.section(self.key, lang)

    def _moved_frist(self) -> None:
        """A frist on a weekend or holiday: both dates, and a step of its own to confirm
        the day that holds (the save is refused without it)."""
        valid = planprocess.moved_frist(self.value("stage"), self.value("closes_date"))
        if valid is None:
            return
        dates = {"announced": f"{self.value('closes_date'):%d.%m.%Y}", "valid": f"{valid:%d.%m.%Y}"}
        st.warning(t("merk21.builder.frist_moved", self.lang, **dates))
        st.checkbox(t("merk21.builder.frist_confirm", self.lang, **dates), key=self._confirm_key(valid))

    def _confirm_key(self, valid: date) -> str:
        return self.key(f"frist_confirmed-{valid.isoformat()}")  # a tick holds for this day only

    def _frist_confirmed(self) -> date | None:
        valid = planprocess.moved_frist(self.value("stage"), self.value("closes_date"))
        return valid if valid is not None and st.session_state.get(self._confirm_key(valid)) else None

    def area(self) -> None:
        lang = self.lang
        st.subheader(t("builder.section_area", lang), anchor=False)
        upload, draw = st.tabs([t("builder.upload_tab", lang), t("builder.draw_tab", lang)])
        with upload:
            self._upload()
        with draw:
            self._draw()
        area: BaseGeometry | None = self.value("area")
        if area is None:
            st.info(t("builder.area_none", lang))
            return
        km2 = f"{geo.area_km2(area, self.settings.profile.working_crs):.3f}".replace(".", ",")
        crs = self.settings.profile.working_crs
        st.success(t("builder.area_set", lang, km2=km2, crs=crs, source=self.value("area_source")))
        st_folium(
            area_map(self.settings, area, lang),
            key=self.key("preview-map"),
            height=320,
            use_container_width=True,
            returned_objects=[],
        )

    def _upload(self) -> None:
        lang = self.lang
        file = st.file_uploader(
            t("builder.upload", lang),
            type=["geojson", "json", "gpkg", "zip", "kml"],
            max_upload_size=geo.MAX_UPLOAD_BYTES // _MB,  # the browser refuses more up front
            key=self.key("upload"),
        )
        left, right = st.columns(2)
        layer = left.text_input(t("builder.layer", lang), key=self.key("layer")).strip() or None
        crs = right.text_input(t("builder.crs", lang), key=self.key("crs")).strip() or None
        if file is None:
            return
        try:
            imported = geo.read_area(file.getvalue(), file.name, layer=layer, crs=crs)
        except InvalidArea as exc:
            st.error(exc.message(lang))
            return
        options = [-1] + [f.index for f in imported.features]
        choice = -1
        if len(imported.features) > 1:
            choice = st.radio(
                t("builder.which_feature", lang, n=len(imported.features)),
                options=options,
                format_func=lambda i: (
                    t("builder.union", lang)
                    if i == -1
                    else f"{imported.feature(i).label} ({imported.feature(i).area_km2:.3f} km²)"
                ),
                key=self.key("feature"),
            )
        chosen = imported.union if choice == -1 else imported.feature(choice).geometry
        source = t("builder.source_upload", lang, name=file.name, crs=imported.source_crs)
        st.button(
            t("builder.use_upload", lang),
            key=self.key("use-upload"),
            on_click=self._set_area,
            args=(chosen, source),
        )

    def _draw(self) -> None:
        lang = self.lang
        st.caption(t("builder.draw_help", lang))
        result = st_folium(
            draw_map(self.settings, self.value("area"), lang),
            key=self.key("draw-map"),
            height=420,
            use_container_width=True,
            returned_objects=["all_drawings"],
        )
        drawings = (result or {}).get("all_drawings") or []
        if st.button(t("builder.use_drawing", lang), key=self.key("use-drawing")):
            if not drawings:
                st.warning(t("builder.nothing_drawn", lang))
                return
            try:
                drawn = geo.area_from_geojson({"type": "FeatureCollection", "features": drawings})
            except (ValueError, KeyError, TypeError):
                st.warning(t("builder.nothing_drawn", lang))
                return
            self._set_area(drawn, t("builder.source_drawing", lang))
            st.rerun()

    def _set_area(self, area: BaseGeometry, source: str) -> None:
        st.session_state[self.key("area")] = geo.as_multipolygon(area)
        st.session_state[self.key("area_source")] = source

    def categories_and_questions(self) -> None:
        lang = self.lang
        st.subheader(t("builder.section_categories", lang), anchor=False)
        st.text_area(t("builder.categories", lang), key=self.key("categories"), height=280)
        st.markdown(f"**{t('builder.questions', lang)}**")
        st.caption(t("builder.questions_help", lang))
        kinds = [k.value for k in QuestionKind]
        st.data_editor(
            pandas.DataFrame(self.value("questions"), columns=["id", "text", "kind", "options"]),
            key=self.key("questions-editor"),
            num_rows="dynamic",
            width="stretch",
            column_order=("text", "kind", "options"),
            column_config={
                "text": st.column_config.TextColumn(t("builder.question_text", lang), required=True, max_chars=200),
                "kind": st.column_config.SelectboxColumn(
                    t("builder.question_kind", lang), options=kinds, required=True, default="single"
                ),
                "options": st.column_config.TextColumn(t("builder.question_options", lang)),
            },
        )

    def settings_section(self) -> None:
        lang = self.lang
        st.subheader(t("builder.section_settings", lang), anchor=False)
        st.radio(
            t("builder.moderation", lang),
            options=list(Moderation),
            format_func=lambda v: t(f"moderation.{v.value}", lang),
            key=self.key("moderation"),
        )
        st.multiselect(
            t("shapes_setting.label", lang),
            options=[s.value for s in Shape],
            format_func=lambda v: t(f"location.mode_{v}", lang),
            help=t("shapes_setting.help", lang),
            key=self.key("shapes"),
        )
        st.markdown(f"**{t('contact_person.heading', lang)}**")
        columns = st.columns(4)
        for column, name in zip(columns, CONTACT_FIELDS, strict=True):
            column.text_input(t(f"contact_person.{name}", lang), key=self.key(f"contact_{name}"), max_chars=200)
        with st.expander(t("proposer.section", lang)):
            st.caption(t("proposer.help", lang))
            left, right = st.columns(2)
            left.text_input(t("proposer.name", lang), key=self.key("proposer_name"), max_chars=200)
            right.text_input(t("proposer.consultant", lang), key=self.key("proposer_consultant"), max_chars=200)
            st.radio(
                t("proposer.recipient", lang),
                options=list(MerknadRecipient),
                format_func=lambda v: t(f"proposer.recipient_{v.value}", lang),
                key=self.key("proposer_recipient"),
                horizontal=True,
            )
            st.text_input(
                t("proposer.address", lang),
                key=self.key("proposer_address"),
                max_chars=200,
                help=t("proposer.address_help", lang),
            )

    # -- saving ------------------------------------------------------------------------

    def _questions(self) -> list[Question]:
        """The edited questions table, with stable ids (kept for existing rows)."""
        edits = st.session_state.get(self.key("questions-editor"), {})
        rows = [dict(r) for r in self.value("questions")]
        for index, change in edits.get("edited_rows", {}).items():
            rows[int(index)].update(change)
        rows = [r for n, r in enumerate(rows) if n not in set(edits.get("deleted_rows", []))]
        rows += [dict(r) for r in edits.get("added_rows", [])]
        used = {r.get("id") for r in rows if r.get("id")}
        questions, n = [], 1
        for row in rows:
            if not (row.get("text") or "").strip():
                continue
            qid = row.get("id")
            while not qid:
                candidate = f"q{n}"
                n += 1
                qid = candidate if candidate not in used else None
            used.add(qid)
            options = _options(row.get("options") or "")
            questions.append(Question(qid, QuestionKind(row.get("kind") or "single"), row["text"], options))
        return questions

    def _translations(self, code: str) -> dict[str, object]:
        v = self.value
        return {
            **{name: v(f"{code}_{name}") or "" for name in TRANSLATED},
            "categories": {c: v(f"{code}_category_{c}") or "" for c in self._categories()},
            "questions": {
                q.id: {
                    "text": v(f"{code}_question_{q.id}") or "",
                    "options": list(_options(v(f"{code}_options_{q.id}") or "")),
                }
                for q in self._questions()
            },
        }

    def form(self) -> ConsultationForm:
        v = self.value
        return ConsultationForm(
            id=v("id") or "",
            title=v("title") or "",
            summary=v("summary") or "",
            body=v("body") or "",
            plan_type=v("plan_type"),
            plan_id=v("plan_id") or "",
            stage=v("stage"),
            opens_at=_local(v("opens_date"), v("opens_time")),
            closes_at=_local(v("closes_date"), v("closes_time")),
            area=v("area"),
            categories=(v("categories") or "").splitlines(),
            questions=self._questions(),
            moderation=v("moderation"),
            contact=Contact(*(v(f"contact_{name}") or "" for name in CONTACT_FIELDS)),
            proposer=Proposer(
                name=v("proposer_name") or "",
                consultant=v("proposer_consultant") or "",
                recipient=v("proposer_recipient") or MerknadRecipient.MUNICIPALITY,
                address=v("proposer_address") or "",
            ),
            case_number=v("case_number") or "",
            announced_on=v("announced_on"),
            announced_where=v("announced_where") or "",
            translations={code: self._translations(code) for code in OTHER_LANGUAGES},
            shapes=v("shapes") or (),
            frist_confirmed=self._frist_confirmed(),
            **case_facts.form_values(v),
        )

    def save_button(self, user: User) -> None:
        lang = self.lang
        if not st.button(t("builder.save", lang), type="primary", key=self.key("save")):
            return
        try:
            saved, warnings = save(
                self.store,
                self.form(),
                user,
                editing=self.existing.id if self.existing else None,
                kommunenummer=self.settings.profile.kommunenummer,
            )
        except KartinnspillError as exc:  # refused by a rule, or the account may no longer
            st.error(exc.message(lang))
            return
        message = "builder.saved_new" if self.existing is None else "consultation_form.saved"
        flash.say(_SAVED, "success", t(message, lang, title=saved.title))
        for key, values in warnings:
            flash.say(_SAVED, "warning", t(key, lang, **values))
        for name in list(st.session_state):
            if isinstance(name, str) and name.startswith(f"{self.prefix}-"):
                del st.session_state[name]  # the saved consultation is read afresh
        st.query_params["id"] = saved.id
        st.rerun()

    def _delete_button(self, doc, user: User) -> None:
        st.button(
            t("builder.document_delete", self.lang, name=doc.filename),
            key=self.key(f"delete-doc-{doc.id}"),
            on_click=flash.run,
            args=(self.key("documents"), self.lang, documents.delete_document, self.store, doc.id, user),
        )

    def _slot(self, kind: DocumentKind, doc, required: bool, user: User) -> None:
        """One named document (plankart, bestemmelser, …): upload, replace or remove it."""
        lang = self.lang
        label = t(f"document_kind.{kind.value}", lang)
        if required:
            label = t("required_documents.required_label", lang, name=label)
        with st.container(border=True):
            st.markdown(f"**{label}**")
            if doc is not None:
                st.caption(t("required_documents.slot_file", lang, name=doc.filename))
                self._delete_button(doc, user)
            file = st.file_uploader(
                t("required_documents.slot_upload", lang, name=t(f"document_kind.{kind.value}", lang)),
                type=["pdf"],
                max_upload_size=MAX_DOCUMENT_BYTES // _MB,
                key=self.key(f"slot-{kind.value}"),
            )
            if file is not None and st.button(
                t("required_documents.slot_add", lang), key=self.key(f"slot-add-{kind.value}")
            ):
                try:
                    name = documents.add_document(self.store, self.existing.id, file.name, file.getvalue(), user, kind)
                except KartinnspillError as exc:
                    st.error(exc.message(lang))
                    return
                st.success(t("builder.document_added", lang, name=name))

    def documents(self, user: User) -> None:
        lang = self.lang
        st.subheader(t("builder.section_documents", lang), anchor=False)
        if self.existing is None:
            st.caption(t("builder.documents_new", lang))
            return
        flash.show(self.key("documents"))
        present = self.store.documents(self.existing.id)
        required = planprocess.required_documents(self.existing.plan_type, self.existing.stage)
        if missing := planprocess.missing_documents(
            self.existing.plan_type, self.existing.stage, (d.kind for d in present)
        ):
            names = ", ".join(t(f"document_kind.{k.value}", lang) for k in missing)
            st.info(t("required_documents.builder_missing", lang, names=names))
        for kind in planprocess.SLOT_KINDS:
            self._slot(kind, next((d for d in present if d.kind == kind), None), kind in required, user)
        st.markdown(f"**{t('document_kind.annet_heading', lang)}**")
        for doc in present:
            if doc.kind == DocumentKind.ANNET:
                self._delete_button(doc, user)
        files = st.file_uploader(
            t("builder.documents_upload", lang),
            type=["pdf"],
            max_upload_size=MAX_DOCUMENT_BYTES // _MB,
            accept_multiple_files=True,
            key=self.key("documents"),
        )
        if files and st.button(t("builder.documents_add", lang), key=self.key("add-docs")):
            for file in files:
                try:
                    name = documents.add_document(self.store, self.existing.id, file.name, file.getvalue(), user)
                except KartinnspillError as exc:
                    st.error(exc.message(lang))
                    continue
                st.success(t("builder.document_added", lang, name=name))


def page(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.page_link(STAFF_PAGE, label=t("builder.back", lang))
    editing = st.query_params.get("id")
    existing = store.get_consultation(editing) if editing else None
    if editing and existing is None:
        safe.not_found(t("consultation_form.unknown_link", lang), t("consultation.asked_id", lang, id=editing))
        return
    title = t("builder.title_edit", lang, title=existing.title) if existing else t("builder.title_new", lang)
    st.title(title, anchor=False)
    flash.show(_SAVED)
    builder = Builder(store, settings, existing, lang)
    builder.texts()
    builder.translations()
    builder.plan()
    builder.area()
    builder.categories_and_questions()
    builder.settings_section()
    builder.save_button(user)
    builder.documents(user)
    layers.builder_section(store, existing, user, lang, builder.prefix)
    embed.builder_section(settings, existing, lang)
    mail_forms.builder_section(store, existing, user, lang)
    if existing is not None and planprocess.mode(existing.stage) == planprocess.Mode.EARLY:
        medvirkning.activities_editor(store, existing, user, lang)  # «Slik gjennomførte vi medvirkningen»
