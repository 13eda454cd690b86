"""The mails Kartinnspill sends, composed when their event happens and queued in the same
transaction (``store.atomic()``): the caller's change and its mails are kept together or
not at all. ``mail_sender.py`` delivers them.

What goes to whom:
- «Send meg kvittering»: a receipt naming the KI reference, to the address given with a web
  input, or by staff with a registered letter or e-mail (``--sender-email``).
- «Varsle meg når innspillene er behandlet» (a web input) and «Følg høringen» (no input
  needed): first a confirmation link (double opt-in); once confirmed, the input's answer
  when the responses are published, and for a followed høring new documents, a changed
  frist and the published merknadsbehandling.
- The vedtak notice (a legal notice, with the right to appeal): to every confirmed address
  of the varslingsliste — followers, and senders of registered letters.
- The kontaktperson, when staff opt in: a daily digest of new inputs and a notice of each
  innsigelse.
- «Vi hørte – vi gjør» (feedback.py) published: its table to the followers of the høring
  and of an input, once per publication.

An early medvirkning is no høring: every text that names the process has an early form
(``worded``: ``mail.early.<key>``) that never says «høring».

Every mail is in the recipient's language (nb, nn, en), plain text and HTML (everything
written by residents or staff is escaped), with the consultation's name and saksnummer in
the subject; every mail but a receipt, a confirmation and the vedtak notice carries
List-Unsubscribe (the sender adds the headers from ``unsubscribe_token``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode

from .config import current_profile, public_url
from .errors import InvalidInput
from .i18n import DEFAULT_LANG, LANGUAGES, format_date, t, tn
from .mail_model import Follow, FollowKind, Mail, MailKind, MailStatus, Vedtak
from .model import EARLY_STAGES, Consultation, Input, Objection, Point, Response, Role, Stage, User, reference
from .permissions import require
from .ratelimit import DEFAULT_LIMITS, LIMITER, Limits, RateLimiter
from .store import Store

EMAIL_MAX = 254  # RFC 5321's longest path
# One address, no display name or list: what a resident types, checked before it is kept.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
DIGEST_EVERY = timedelta(days=1)
CONFIRM_PAGE = "epost"  # pages/epost.py: confirm a follow, or stop it
ANSWER_PARAM = "svar"  # ?id=…&svar=KI-000012: the consultation page shows that answer first


@dataclass(frozen=True)
class MailRequest:
    """What a resident asked for with an input: an address and the consents given."""

    email: str
    receipt: bool = False  # «Send meg kvittering»
    follow: bool = False  # «Varsle meg når innspillene er behandlet»
    lang: str = DEFAULT_LANG

    @property
    def wanted(self) -> bool:
        return bool(self.email) and (self.receipt or self.follow)


def check_email(value: str | None) -> str:
    """The address as given, trimmed; ``InvalidInput`` unless it is one plain address."""
    email = (value or "").strip()
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise InvalidInput("mail.invalid_address")
    return email


def check_request(request: MailRequest | None) -> MailRequest | None:
    """A request with its address checked; ``None`` when nothing is asked. A consent
    without an address, or an address without a consent, is refused: nothing is kept
    that no one asked to be used."""
    if request is None or not (request.email.strip() or request.receipt or request.follow):
        return None
    if not (request.receipt or request.follow):
        raise InvalidInput("mail.no_consent")
    if not request.email.strip():
        raise InvalidInput("mail.address_missing")
    lang = request.lang if request.lang in LANGUAGES else DEFAULT_LANG
    return MailRequest(check_email(request.email), request.receipt, request.follow, lang)


# Keys whose words name the process: a formal høring's (``mail.<key>``), or early
# medvirkning's own (``mail.early.<key>``), which never say «høring».
STAGED = frozenset(
    {
        "link_consultation",
        "confirm.consultation",
        "confirm.ignore",
        "update.subject",
        "update.responses",
        "form.privacy",
        "follow.heading",
        "follow.help",
        "follow.email",
        "follow.button",
    }
)


def worded(key: str, stage: Stage) -> str:
    """The translation key of ``mail.<key>`` in the words of the consultation's stage."""
    if key in STAGED and stage in EARLY_STAGES:
        return f"mail.early.{key}"
    return f"mail.{key}"


def said(key: str, consultation: Consultation, lang: str, **params: object) -> str:
    return t(worded(key, consultation.stage), lang, **params)


# -- links ---------------------------------------------------------------------------------


def page_link(page: str = "", **params: object) -> str:
    """A link to a page of the app as residents reach it (``KARTINNSPILL_PUBLIC_URL``)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{public_url()}/{page}" + (f"?{query}" if query else "")


def unsubscribe_link(token: str) -> str:
    """The one-click address of List-Unsubscribe (RFC 8058: POST stops it, GET shows the
    page): serve.py answers it."""
    return f"{public_url()}/mail/unsubscribe?{urlencode({'token': token})}"


# -- composing -------------------------------------------------------------------------------


def subject(consultation: Consultation, what: str, lang: str) -> str:
    title = consultation.in_language(lang).title
    case = f" ({consultation.case_number})" if consultation.case_number else ""
    return f"{what}: {title}{case}"


def compose(
    kind: MailKind,
    consultation: Consultation,
    recipient: str,
    lang: str,
    what: str,
    paragraphs: Sequence[str],
    *,
    link: tuple[str, str] | None = None,
    follow: Follow | None = None,
    input_id: int | None = None,
) -> Mail:
    """One mail as plain text and HTML from the same paragraphs (each escaped for HTML:
    residents' and staff's words are data), with the way out of a follow at the foot."""
    foot = []
    token = None
    if follow is not None and kind.unsubscribable:
        token = follow.token
        foot = [(t("mail.unsubscribe_foot", lang), page_link(CONFIRM_PAGE, avmeld=token, lang=lang))]
    name = consultation.in_language(lang).title
    text_parts = [*paragraphs]
    html_parts = [f"<p>{_html_lines(p)}</p>" for p in paragraphs]
    if link is not None:
        text_parts.append(f"{link[0]}: {link[1]}")
        html_parts.append(f'<p><a href="{html.escape(link[1])}">{html.escape(link[0])}</a></p>')
    sign = t("mail.signature", lang, municipality=_municipality())
    text_parts.append(sign)
    html_parts.append(f"<p>{_html_lines(sign)}</p>")
    for label, url in foot:
        text_parts.append(f"{label}: {url}")
        html_parts.append(f'<p><small><a href="{html.escape(url)}">{html.escape(label)}</a></small></p>')
    body = "\n".join(html_parts)
    return Mail(
        kind=kind,
        recipient=recipient,
        subject=subject(consultation, what, lang),
        text="\n\n".join(text_parts) + "\n",
        html=(
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(name)}</title></head><body>\n{body}\n</body></html>\n"
        ),
        consultation_id=consultation.id,
        unsubscribe_token=token,
        input_id=input_id if input_id is not None else (follow.input_id if follow else None),
    )


def _html_lines(text: str) -> str:
    return "<br>\n".join(html.escape(line) for line in text.splitlines())


def _municipality() -> str:
    return current_profile().name


def _consultation_link(consultation: Consultation, lang: str) -> tuple[str, str]:
    return said("link_consultation", consultation, lang), page_link("", id=consultation.id, lang=lang)


# -- what an input causes -------------------------------------------------------------------


def receipt(consultation: Consultation, item: Input, email: str, lang: str) -> Mail:
    facts = [
        t("mail.receipt.body", lang, reference=item.reference, title=consultation.in_language(lang).title),
        t("mail.receipt.received", lang, when=format_date(item.created_at, lang, with_time=True)),
    ]
    if consultation.case_number:
        facts.append(t("mail.receipt.case_number", lang, case_number=consultation.case_number))
    facts += [t("mail.receipt.text_heading", lang), item.text, t("mail.receipt.public", lang)]
    return compose(
        MailKind.RECEIPT,
        consultation,
        email,
        lang,
        t("mail.receipt.subject", lang, reference=item.reference),
        facts,
        link=_consultation_link(consultation, lang),
        input_id=item.id,
    )


def confirmation(consultation: Consultation, follow: Follow) -> Mail:
    lang = follow.lang
    asked = "confirm.input" if follow.kind == FollowKind.INPUT else "confirm.consultation"
    return compose(
        MailKind.CONFIRM,
        consultation,
        follow.email,
        lang,
        t("mail.confirm.subject", lang),
        [
            said(asked, consultation, lang, title=consultation.in_language(lang).title),
            said("confirm.ignore", consultation, lang),
        ],
        link=(t("mail.confirm.link", lang), page_link(CONFIRM_PAGE, bekreft=follow.token, lang=lang)),
        input_id=follow.input_id,
    )


def input_stored(store: Store, consultation: Consultation, item: Input, request: MailRequest) -> None:
    """A web input's mails, in the caller's transaction: the receipt (when asked) at once,
    and for «varsle meg» an unconfirmed follow and its confirmation link."""
    mails = []
    if request.receipt:
        mails.append(receipt(consultation, item, request.email, request.lang))
    if request.follow:
        follow = store.add_follow(consultation.id, FollowKind.INPUT, request.email, request.lang, input_id=item.id)
        mails.append(confirmation(consultation, follow))
    store.queue_mail(mails)


def letter_registered(store: Store, consultation: Consultation, item: Input, email: str, lang: str) -> None:
    """A letter or e-mail staff registered with the sender's address: the receipt, and the
    address on the varslingsliste for the vedtak notice (confirmed: the sender wrote to us
    from it, and the notice is the municipality's duty, not a subscription)."""
    store.add_follow(consultation.id, FollowKind.NOTICE, email, lang, input_id=item.id, confirmed=True)
    store.queue_mail([receipt(consultation, item, email, lang)])
    if item.objection == Objection.INNSIGELSE:
        innsigelse_arrived(store, consultation, item)


def innsigelse_arrived(store: Store, consultation: Consultation, item: Input) -> None:
    """The kontaktperson who opted in hears of an innsigelse at once."""
    mails = []
    for follow in store.follows(consultation.id, (FollowKind.DIGEST,)):
        lang = follow.lang
        mails.append(
            compose(
                MailKind.INNSIGELSE,
                consultation,
                follow.email,
                lang,
                t("mail.innsigelse.subject", lang),
                [t("mail.innsigelse.body", lang, reference=item.reference, sender=item.sender_name or "—")],
                link=(t("mail.link_review", lang), page_link("gjennomgang", id=consultation.id, lang=lang)),
                follow=follow,
            )
        )
    store.queue_mail(mails)


def follow_consultation(
    store: Store,
    consultation: Consultation,
    email: str,
    lang: str,
    *,
    session: str = "",
    address: str | None = None,
    limiter: RateLimiter = LIMITER,
    limits: Limits = DEFAULT_LIMITS,
) -> Follow:
    """«Følg høringen»: an unconfirmed follow and its confirmation link, one change. The
    browser ``session`` and network ``address`` count against the submission limits, so
    the form cannot be used to send confirmation mails to a list of strangers."""
    email = check_email(email)
    lang = lang if lang in LANGUAGES else DEFAULT_LANG
    checks = [(f"follow:{store.hash_session(session)}", limits.submit_per_session)]
    if address:
        checks.append((f"follow:{store.hash_session(f'address:{address}')}", limits.submit_per_address))
    if not limiter.allow(checks):
        raise InvalidInput("input.rate_limited")
    with store.atomic():
        follow = store.add_follow(consultation.id, FollowKind.CONSULTATION, email, lang)
        store.queue_mail([confirmation(consultation, follow)])
    return follow


def confirm(store: Store, token: str, now: datetime | None = None) -> Follow | None:
    """The confirmation link was opened: the follow is active (``None``: no such link)."""
    return store.confirm_follow(token, now or datetime.now(UTC)) if token else None


def unsubscribe(store: Store, token: str, now: datetime | None = None) -> Follow | None:
    """Stop a follow: nothing more is sent to it (``None``: no such link)."""
    return store.unsubscribe(token, now or datetime.now(UTC)) if token else None


# -- what planners and staff cause ----------------------------------------------------------


def responses_published(
    store: Store,
    consultation: Consultation,
    answers: Mapping[int, Response],
    points: Mapping[int, Sequence[Point]] | None = None,
) -> int:
    """The merknadsbehandling went public: each confirmed follower of an input gets its
    answer (``answers``: input id → the response it carries, as residents see it; a merknad
    split into points, ``points`` by the same id, gets each point's vurdering and forslag
    instead of the merknad's joined one), each follower of the høring a notice (again if
    they are published again; an answer goes once). In the caller's transaction; returns
    mails queued."""
    points = points or {}
    answered = store.mailed(consultation.id, MailKind.ANSWER)
    mails = []
    for follow in store.follows(consultation.id, (FollowKind.INPUT,)):
        response = answers.get(follow.input_id) if follow.input_id is not None else None
        if response is not None and follow.token not in answered:
            mails.append(answer(consultation, follow, response, points.get(follow.input_id, ())))
    mails += _updates(store, consultation, "update.responses", lambda lang: {})
    store.queue_mail(mails)
    return len(mails)


def answer(consultation: Consultation, follow: Follow, response: Response, points: Sequence[Point] = ()) -> Mail:
    """The answer to one input: the merknad's conclusion, or for a merknad split into
    points (a, b, …) each point with its own sammendrag, vurdering and forslag til vedtak."""
    lang = follow.lang
    paragraphs = [t("mail.answer.body", lang, reference=reference(follow.input_id or 0))]
    if len(points) > 1:
        paragraphs.append(tn("mail24b.answer.points_intro", len(points), lang))
        paragraphs += [_point_answer(p, lang) for p in points]
    else:
        paragraphs.append(f"{t('mail.answer.outcome', lang)}: {t(f'planning.outcome.{response.outcome.value}', lang)}")
        if response.summary.strip():
            paragraphs.append(f"{t('mail.answer.summary', lang)}: {response.summary}")
        if response.assessment.strip():
            paragraphs.append(f"{t('mail.answer.assessment', lang)}: {response.assessment}")
        if (response.plan_change or "").strip():
            paragraphs.append(f"{t('mail.answer.plan_change', lang)}: {response.plan_change}")
    return compose(
        MailKind.ANSWER,
        consultation,
        follow.email,
        lang,
        t("mail.answer.subject", lang),
        paragraphs,
        link=(t("mail.answer.link", lang), answer_link(consultation, follow.input_id or 0, lang)),
        follow=follow,
    )


def answer_link(consultation: Consultation, input_id: int, lang: str) -> str:
    """The consultation page with the answer to ``input_id`` first in «Slik ble innspillene
    behandlet»."""
    return page_link("", id=consultation.id, lang=lang, **{ANSWER_PARAM: reference(input_id)})


def _point_answer(p: Point, lang: str) -> str:
    """One point as lines of one paragraph: «Punkt a: sammendrag», its vurdering, its
    forslag til vedtak (or «ikke vurdert»), and the change to the plan."""
    heading = t("mail24b.answer.point", lang, letter=p.letter)
    lines = [f"{heading}: {p.summary}" if p.summary.strip() else heading]
    if p.assessment.strip():
        lines.append(f"{t('mail.answer.assessment', lang)}: {p.assessment}")
    proposal = t(f"planning.outcome.{p.outcome.value}", lang) if p.outcome else t("mail24b.answer.unassessed", lang)
    lines.append(f"{t('mail24b.answer.proposal', lang)}: {proposal}")
    if p.plan_change.strip():
        lines.append(f"{t('mail.answer.plan_change', lang)}: {p.plan_change}")
    return "\n".join(lines)


def _updates(
    store: Store, consultation: Consultation, key: str, params: Callable[[str], Mapping[str, object]]
) -> list[Mail]:
    """«Følg høringen»: the news ``mail.<key>`` in the stage's words (with ``params`` in
    each follower's language)."""
    return [
        compose(
            MailKind.UPDATE,
            consultation,
            f.email,
            f.lang,
            said("update.subject", consultation, f.lang),
            [said(key, consultation, f.lang, **params(f.lang))],
            link=_consultation_link(consultation, f.lang),
            follow=f,
        )
        for f in store.follows(consultation.id, (FollowKind.CONSULTATION,))
    ]


class FollowedUp(Protocol):
    """A row of «vi hørte – vi gjør» (``feedback.Heard``) as a mail tells it."""

    title: str
    count: int
    kind: str  # a FollowUpKind value
    follow_up: str
    reason: str


def feedback_published(store: Store, consultation: Consultation, rows: Sequence[FollowedUp]) -> int:
    """«Vi hørte – vi gjør» went public: its rows to every confirmed follower of the høring
    and of an input (those asked to be told how the inputs are dealt with), one mail per
    address. The caller queues this once per publication, in its transaction; returns
    mails queued."""
    seen: dict[str, Follow] = {}
    for follow in store.follows(consultation.id, (FollowKind.CONSULTATION, FollowKind.INPUT)):
        seen.setdefault(follow.email.lower(), follow)
    mails = []
    for follow in seen.values():
        lang = follow.lang
        paragraphs = [t("mail24b.feedback.body", lang, title=consultation.in_language(lang).title)]
        for row in rows:
            lines = [
                tn("mail24b.feedback.theme", row.count, lang, theme=row.title),
                f"{t('mail24b.feedback.done', lang)}: {t(f'feedback.kind.{row.kind}', lang)}",
            ]
            lines += [x for x in (row.follow_up, row.reason) if x.strip()]
            paragraphs.append("\n".join(lines))
        mails.append(
            compose(
                MailKind.FEEDBACK,
                consultation,
                follow.email,
                lang,
                t("mail24b.feedback.subject", lang),
                paragraphs,
                link=(t("mail24b.feedback.link", lang), page_link("", id=consultation.id, lang=lang)),
                follow=follow,
            )
        )
    store.queue_mail(mails)
    return len(mails)


def document_added(store: Store, consultation: Consultation, title: str) -> None:
    """«Følg høringen»: a new document is out (in the caller's transaction)."""
    store.queue_mail(_updates(store, consultation, "update.document", lambda lang: {"document": title}))


def deadline_changed(store: Store, consultation: Consultation) -> None:
    """«Følg høringen»: the frist moved (in the caller's transaction)."""
    store.queue_mail(
        _updates(
            store,
            consultation,
            "update.deadline",
            lambda lang: {"deadline": format_date(consultation.closes_at, lang, with_time=True)},
        )
    )


def vedtak_notice(consultation: Consultation, follow: Follow, vedtak: Vedtak) -> Mail:
    lang = follow.lang
    return compose(
        MailKind.VEDTAK,
        consultation,
        follow.email,
        lang,
        t("mail.vedtak.subject", lang),
        [
            t(
                "mail.vedtak.body",
                lang,
                date=vedtak.decided_on.strftime("%d.%m.%Y"),
                case_number=vedtak.case_number,
                title=consultation.in_language(lang).title,
            ),
            vedtak.body,
            t(
                "mail.vedtak.appeal",
                lang,
                appeal_by=vedtak.appeal_by.strftime("%d.%m.%Y"),
                case_number=vedtak.case_number,
            ),
        ],
        link=(t("mail.vedtak.link", lang), vedtak.link) if vedtak.link else None,
    )


def varslingsliste(store: Store, consultation_id: str) -> list[Follow]:
    """Everyone told of the vedtak by e-mail: confirmed followers of an input or the
    høring, and the senders of registered letters; one mail per address."""
    seen: dict[str, Follow] = {}
    for follow in store.follows(consultation_id, (FollowKind.NOTICE, FollowKind.INPUT, FollowKind.CONSULTATION)):
        seen.setdefault(follow.email.lower(), follow)
    return list(seen.values())


def check_vedtak(vedtak: Vedtak) -> Vedtak:
    """The vedtak as staff typed it, trimmed; ``InvalidInput`` with the reason otherwise."""
    body, case_number, link = vedtak.body.strip(), vedtak.case_number.strip(), vedtak.link.strip()
    if not body:
        raise InvalidInput("mail.vedtak_form.body_missing")
    if not case_number:
        raise InvalidInput("mail.vedtak_form.case_missing")
    if link and not link.lower().startswith(("https://", "http://")):
        raise InvalidInput("mail.vedtak_form.link_invalid")
    if vedtak.appeal_by < vedtak.decided_on:
        raise InvalidInput("mail.vedtak_form.appeal_early")
    return Vedtak(vedtak.consultation_id, body, vedtak.decided_on, case_number, link, vedtak.appeal_by)


def appeal_deadline(notice_day: date) -> date:
    """Three weeks from the notice (fvl. § 29), the default klagefrist."""
    return notice_day + timedelta(weeks=3)


def register_vedtak(store: Store, consultation: Consultation, vedtak: Vedtak, actor: User) -> int:
    """A planner registers the vedtak; its notice to the varslingsliste is queued with it.
    Registered again (a correction), the notice goes again. Returns mails queued."""
    who = require(store, actor, Role.PLANNER)
    vedtak = check_vedtak(vedtak)
    with store.atomic():
        store.set_vedtak(vedtak, who.username)
        mails = [vedtak_notice(consultation, f, vedtak) for f in varslingsliste(store, consultation.id)]
        store.queue_mail(mails)
    return len(mails)


def queue_digests(store: Store, now: datetime | None = None) -> int:
    """A kontaktperson's daily digest of new inputs, where one is due and there is news;
    returns how many were queued."""
    now = now or datetime.now(UTC)
    queued = 0
    for follow in store.digests_due(now, DIGEST_EVERY):
        consultation = store.get_consultation(follow.consultation_id)
        since = follow.last_sent_at or now - DIGEST_EVERY  # set at the opt-in
        count = store.inputs_since(follow.consultation_id, since)
        with store.atomic():
            if consultation is not None and count:
                lang = follow.lang
                store.queue_mail(
                    [
                        compose(
                            MailKind.DIGEST,
                            consultation,
                            follow.email,
                            lang,
                            t("mail.digest.subject", lang),
                            [tn("mail.digest.body", count, lang, since=format_date(since, lang, with_time=True))],
                            link=(t("mail.link_review", lang), page_link("gjennomgang", id=consultation.id, lang=lang)),
                            follow=follow,
                        )
                    ]
                )
                queued += 1
            store.mark_follow_sent(follow.id, now)
    return queued


def digest_follow(store: Store, consultation: Consultation) -> Follow | None:
    """The kontaktperson's active digest follow, if staff opted in."""
    found = [
        f
        for f in store.follows(consultation.id, (FollowKind.DIGEST,))
        if f.email.lower() == consultation.contact.email.lower()
    ]
    return found[0] if found else None


def set_digest(store: Store, consultation: Consultation, wanted: bool, lang: str, actor: User) -> Follow | None:
    """A planner opts the kontaktperson in to (or out of) the daily digest and innsigelse
    notices."""
    require(store, actor, Role.PLANNER)
    current = digest_follow(store, consultation)
    if wanted and current is None:
        email = check_email(consultation.contact.email)
        return store.add_follow(consultation.id, FollowKind.DIGEST, email, lang, confirmed=True)
    if not wanted and current is not None:
        store.unsubscribe(current.token, datetime.now(UTC))
        return None
    return current


# -- the administrator: failed mail ----------------------------------------------------------


def retry_failed(
    store: Store,
    actor: User,
    mail_ids: Sequence[int] | None = None,
    *,
    unknown: bool = False,
    now: datetime | None = None,
) -> int:
    """An administrator puts failed mails back in the queue (``mail_ids``, or every failed
    one): each is tried again by the sender's next round, with the same Message-ID, and the
    retry is audited. A mail the server may already have (the sender stopped mid-send) is
    retried only when ``unknown`` says the administrator knows it may arrive twice. Returns
    how many went back; naming a mail that has not failed is refused."""
    who = require(store, actor, Role.ADMIN)
    failed = {e.id: e for e in store.outbox((MailStatus.FAILED,), limit=None)}
    wanted = list(failed) if mail_ids is None else list(mail_ids)
    if mail_ids is not None and not all(i in failed for i in wanted):
        raise InvalidInput("mail24b.retry.not_failed")
    chosen = [i for i in wanted if unknown or not failed[i].delivery_unknown]
    return len(store.retry_mail(sorted(chosen), who.username, now or datetime.now(UTC)))
