"""Zelfinspectie: run the Arbeidsinspectie-style checklist, answer items by hand, the report and history."""

import re

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from riecycle import clock
from riecycle.access import current_viewer
from riecycle.access.evidence import counted_list, masked_run
from riecycle.extensions import db
from riecycle.filters import fmt_datetime
from riecycle.forms.zelfinspectie import AnswerForm
from riecycle.models import ChecklistRun, User
from riecycle.pagination import page_of, paginate
from riecycle.permissions import can, requires
from riecycle.services import zelfinspectie as service
from riecycle.tenancy import get_or_404
from riecycle.views.common import save
from riecycle.views.orgbp import org_blueprint
from riecycle.views.safety import safe_next
from riecycle.zelfinspectie_rules import COUNTED_KINDS, unpack_ids

bp = org_blueprint("zelfinspectie", __name__, "zelfinspectie")
# References shown per item on screen; the rest is a count and a link to the full list. A run
# keeps up to EVIDENCE_MAX, which the print version and the Excel export show.
REPORT_REFS = 10
# Stored runs per page of the history.
HISTORY_PER_PAGE = 25
# Records per page of the list behind a count.
LIST_PER_PAGE = 100


@bp.context_processor
def _helpers():
    return {
        "ref_url": lambda ref, back=None: service.ref_url(ref, can, back),
        "checklist": service.load_checklist(),
        "evidence": service.evidence_shown,
        "linked_explanation": _linked_explanation,
        "number": format_decimal,
        "report_refs": REPORT_REFS,
    }


@bp.after_app_request
def _back_to_the_checklist(response):
    """A fix link on the checklist carries ?next= (the item's anchor); after a successful save there
    (a POST answered with a redirect and a success message) the user returns to that item.

    Only a local path into this organisation's zelfinspectie is followed: no open redirect.
    """
    target = safe_next(request.args.get("next")) if request.method == "POST" else None
    org = g.get("org")
    if target is None or org is None or response.status_code not in (302, 303):
        return response
    if not target.startswith(url_for("zelfinspectie.index", org_slug=org.slug)):
        return response
    flashes = session.get("_flashes") or []
    if not flashes or flashes[-1][0] != "success":
        return response
    response.headers["Location"] = target
    return response


# A number standing on its own in a sentence: not part of a date, a percentage or a larger number.
_NUMBER = r"(?<![\w.,\-/]){}(?![\w\-/%]|[.,]\d)"


def _linked_explanation(run, entry) -> Markup:
    """The sentence with the first occurrence of each count's number as the link to its list.

    The "Geteld:" line below it keeps the full labels (and the counts the sentence does not name).
    """
    text = entry.get("explanation") or ""
    spans: list[tuple[int, int, dict]] = []
    for count in entry.get("counts") or []:
        number = re.match(r"\d[\d.,]*\d|\d", count.get("label") or "")
        if number is None:
            continue
        for found in re.finditer(_NUMBER.format(re.escape(number.group())), text):
            if all(found.end() <= s or found.start() >= e for s, e, _c in spans):
                spans.append((found.start(), found.end(), count))
                break
    out, at = Markup(""), 0
    for start, end, count in sorted(spans, key=lambda s: s[0]):
        href = url_for("zelfinspectie.counted", run_id=run.id, item_id=entry.get("id"), key=count["key"])
        out += text[at:start] + Markup(
            '<a href="{}" class="zi-count-link" data-count="{}" title="{}">{}</a>'
        ).format(href, count["key"], count.get("label"), text[start:end])
        at = end
    return out + text[at:]


def _user_names(run: ChecklistRun | None) -> dict:
    ids = {i.get("answered_by_id") for i in (run.items if run else [])} - {None}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _report(run: ChecklistRun | None, template: str, latest: ChecklistRun | None = None):
    # A stored run names records as they were: mask them for this reader, as they are now.
    previous = masked_run(service.previous_run(run), current_viewer()) if run else None
    run = masked_run(run, current_viewer())
    return render_template(
        template,
        run=run,
        gaps=service.gaps(run) if run else [],
        verdict=service.verdict(run) if run else None,
        counts=service.counts(run) if run else {},
        names=_user_names(run),
        latest=latest or service.latest_run(g.org),
        trend=service.trend(g.org),
        today=clock.today(),
        previous=previous,
        changes=service.changes(previous, run),
    )


@bp.get("/")
@requires("view")
def index():
    """The report of the latest run: would we pass, and what do we do first?"""
    run = service.latest_run(g.org, with_items=True)
    return _report(run, "zelfinspectie/index.html", latest=run)


@bp.post("/uitvoeren")
@requires("edit_zelfinspectie")
def run():
    """Answer the checklist from the records and store the result as a snapshot."""
    previous = service.latest_run(g.org, with_items=True)
    result = service.run_checklist(g.org, current_user)
    db.session.commit()
    if previous is not None and result.id == previous.id:
        flash(
            _(
                "Er is niets veranderd sinds de uitvoering van %(t)s: die blijft de laatste (score %(s)s%%).",
                t=fmt_datetime(result.run_at),
                s=_pct(result.score),
            ),
            "info",
        )
    else:
        flash(_("De zelfinspectie is uitgevoerd: score %(s)s%%.", s=_pct(result.score)), "success")
        _flash_changes(service.changes(previous, result) if previous is not None else None)
    return redirect(url_for("zelfinspectie.index"))


def _flash_changes(changes: list | None) -> None:
    """How many items got better or worse since the previous run (the report lists them)."""
    if changes is None:
        return
    better = sum(1 for c in changes if c["direction"] == "better")
    worse = sum(1 for c in changes if c["direction"] == "worse")
    if not changes:
        flash(_("Geen enkel item heeft een ander antwoord dan bij de vorige uitvoering."), "info")
        return
    flash(
        ngettext(
            "Sinds de vorige uitvoering heeft %(n)s item een ander antwoord: %(b)s verbeterd, %(w)s verslechterd.",
            "Sinds de vorige uitvoering hebben %(n)s items een ander antwoord: %(b)s verbeterd, %(w)s verslechterd.",
            len(changes),
            n=len(changes),
            b=better,
            w=worse,
        ),
        "info",
    )


def _pct(value) -> str:
    return "—" if value is None else str(round(value * 100))


@bp.get("/historie")
@requires("view")
def history():
    """Every stored run with its score: the trend."""
    page = paginate(service.runs_stmt(g.org), per_page=HISTORY_PER_PAGE)
    return render_template(
        "zelfinspectie/history.html", runs=page.items, page=page, trend=service.trend(g.org, 24)
    )


@bp.get("/uitvoeringen/<int:run_id>")
@requires("view")
def show(run_id):
    """One stored run, exactly as it was answered."""
    return _report(get_or_404(ChecklistRun, run_id), "zelfinspectie/index.html")


@bp.get("/uitvoeringen/<int:run_id>/afdrukken")
@requires("view")
def print_view(run_id):
    """A print-friendly version of a run to hand to an inspector."""
    return _report(get_or_404(ChecklistRun, run_id), "zelfinspectie/print.html")


def _item_or_404(item_id: str):
    item = service.load_checklist().item(item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/items/<item_id>/antwoord", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def answer(item_id):
    """Answer an item by hand, or override its automatic answer, with a justification."""
    item = _item_or_404(item_id)
    standing = service.standing_answers(g.org).get(item.id)
    form = AnswerForm(obj=standing)
    current = service.evaluate_item(g.org, item, clock.today(), None)
    if form.validate_on_submit():

        def work():
            service.record_answer(g.org, current_user, item.id, form.answer.data, form.justification.data)
            service.run_checklist(g.org, current_user)

        if save(work, form):
            flash(
                _(
                    "Het antwoord op %(i)s is opgeslagen en de zelfinspectie is opnieuw uitgevoerd.",
                    i=item.id,
                ),
                "success",
            )
            return redirect(url_for("zelfinspectie.index", _anchor=f"item-{item.id}"))
    return render_template(
        "zelfinspectie/answer.html", item=item, form=form, standing=standing, current=current
    ), 400 if form.errors else 200


@bp.post("/items/<item_id>/antwoord/intrekken")
@requires("edit_zelfinspectie")
def answer_clear(item_id):
    """Withdraw a hand-given answer or override; the item gets its automatic answer back."""
    item = _item_or_404(item_id)

    def work():
        service.clear_answer(g.org, item.id)
        service.run_checklist(g.org, current_user)

    if not save(work):
        return redirect(url_for("zelfinspectie.answer", item_id=item.id))
    flash(
        _(
            "Het handmatige antwoord op %(i)s is ingetrokken; de zelfinspectie is opnieuw uitgevoerd.",
            i=item.id,
        ),
        "success",
    )
    return redirect(url_for("zelfinspectie.index", _anchor=f"item-{item.id}"))


@bp.get("/uitvoeringen/<int:run_id>/items/<item_id>/lijst/<key>")
@requires("view")
def counted(run_id, item_id, key):
    """The records behind one count of an item, as counted at that run, as far as the viewer may see them."""
    run = masked_run(get_or_404(ChecklistRun, run_id), current_viewer())
    entry = next((i for i in run.items if i.get("id") == item_id), None)
    count = service.count_of(entry, key)
    if count is None or count.get("kind") not in COUNTED_KINDS:
        abort(404)
    ids = unpack_ids(run.counted(item_id, key))
    stored_keys = count.get("keys")
    keys = [k for k in stored_keys if isinstance(k, str)] if isinstance(stored_keys, list) else []
    page = page_of(len(ids) + len(keys), LIST_PER_PAGE)
    rie_id = count.get("rie_id") if isinstance(count.get("rie_id"), int) else None
    listed = counted_list(
        current_viewer(), g.org.id, count["kind"], ids, page.offset, LIST_PER_PAGE, keys, rie_id
    )
    page.total = listed.visible
    item = service.load_checklist().item(item_id)
    return render_template(
        "zelfinspectie/counted.html",
        run=run,
        entry=entry,
        item=item,
        count=count,
        listed=listed,
        page=page,
    )
