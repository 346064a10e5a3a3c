"""The report as an editable Word file (python-docx), from the same model as the PDF.

Real Heading styles (so Word builds the table of contents from them), tables in "Table Grid",
a TOC field Word fills in when the document is opened and updated, page numbers in the footer,
and the signature block. Deterministic: the core properties carry the report date and the zip
entries a fixed timestamp, so two runs on the same data give the same bytes.
"""

import zipfile
from datetime import UTC, datetime
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle.formatting import fmt_money


def _day(value) -> str:
    return value.strftime("%d-%m-%Y") if value else "—"


def _dash(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _yes(value: bool) -> str:
    return _("ja") if value else _("nee")


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (TOC, PAGE, NUMPAGES) that Word computes when the document is updated."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


class _Writer:
    def __init__(self, report):
        self.report = report
        self.doc = Document()
        self.h = report.headings
        self._setup()

    def _setup(self) -> None:
        styles = self.doc.styles
        styles["Normal"].font.name = "DejaVu Sans"
        styles["Normal"].font.size = Pt(9)
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.8))
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
        header = section.header.paragraphs[0]
        header.text = f"{self.report.org_name} · {self.report.title}"
        footer = section.footer.paragraphs[0]
        footer.add_run(f"{_day(self.report.report_date)} · {_('Pagina')} ")
        _field(footer, "PAGE", "1")
        footer.add_run(f" {_('van')} ")
        _field(footer, "NUMPAGES", "1")

    # --- building blocks -------------------------------------------------------------------

    def heading(self, text: str, level: int = 1, new_page: bool = False) -> None:
        if new_page:
            self.doc.add_page_break()
        self.doc.add_heading(text, level=level)

    def para(self, text: str, italic: bool = False) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.italic = italic

    def empty(self, text: str) -> None:
        self.para(text, italic=True)

    def table(self, headers: list[str], rows: list[list]) -> None:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text)).bold = True
        # The header row repeats on every page, as in the PDF.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = _dash(value)
        self.doc.add_paragraph()

    def more(self, key: str) -> None:
        n = self.report.more.get(key)
        if n:
            self.para(
                _("En nog %(n)s, niet in dit rapport; ze staan in het bewijsdossier (bijlage).", n=n),
                italic=True,
            )

    def facts(self, facts) -> None:
        rows = [[f.label, f"{f.value}\n{f.note}" if f.note else f.value] for f in facts]
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text = ""
            cells[0].paragraphs[0].add_run(str(label)).bold = True
            cells[1].text = _dash(value)
        self.doc.add_paragraph()

    # --- sections ----------------------------------------------------------------------------

    def write(self) -> None:
        r, h = self.report, self.h
        self.doc.add_heading(r.title, level=0)
        self.para(r.org_name)
        self.facts(r.cover)
        self.doc.add_heading(_("Toetsing (Arbowet art. 14)"), level=2)
        self.facts(r.toetsing)
        self.para(
            _(
                "Individuele maatregelen staan in dit rapport gepseudonimiseerd (team en nummer); "
                "meldingen alleen als totalen."
            )
        )
        self.doc.add_heading(h["contents"], level=2)
        _field(
            self.doc.add_paragraph(),
            'TOC \\o "1-2" \\h \\z \\u',
            _("Werk de inhoudsopgave bij (rechtermuisknop, Veld bijwerken)."),
        )
        self.summary()
        self.themes()
        self.onderzoek()
        self.plan()
        self.voorlichting()
        self.evaluaties()
        self.gedrag()
        self.zelfinspectie()
        self.or_section()
        self.appendix()

    def summary(self) -> None:
        r = self.report
        self.heading(f"1. {self.h['summary']}", new_page=True)
        self.heading(_("Stand van de cyclus per thema"), 2)
        self.table(
            [_("Thema"), _("In de RI&E"), _("Huidige stap"), _("Risico's"), _("Maatregelen te laat")],
            [[t.name, t.state, t.stage, t.risk_count, t.overdue] for t in r.summary_stages],
        )
        self.heading(_("Top 5 knelpunten"), 2)
        if r.top5:
            self.table(
                ["#", _("Risico"), _("Thema"), _("Score"), _("Prioriteit")],
                [
                    [x.top5_rank, f"{x.reference} {x.title}", x.theme, x.score, x.priority_label]
                    for x in r.top5
                ],
            )
        else:
            self.empty(_("Er is geen top 5 vastgelegd."))
        self.heading(_("Kerncijfers"), 2)
        self.facts([*r.key_figures, r.zelfinspectie_score, r.coverage, r.instruction])

    def themes(self) -> None:
        self.heading(f"2. {self.h['themes']}", new_page=True)
        self.para(
            _(
                "Kinney: kans × frequentie × effect = score. Restrisico: het verwachte risico na de maatregelen."
            )
        )
        for t in self.report.themes:
            self.heading(t.name, 2)
            reason = f" – {t.reason.rstrip('.')}" if t.reason else ""
            self.para(f"{_('In de RI&E')}: {t.state}{reason}.\n{_('Huidige stap')}: {t.stage}.")
            if t.onderzoeken:
                self.para(
                    f"{_('Verdiepend onderzoek')}: {', '.join(t.onderzoeken)} ({_('zie hoofdstuk 3')})."
                )
            if t.other_risks:
                self.para(
                    _(
                        "Daarnaast %(n)s andere risico's van dit thema, geteld in hoofdstuk 4; elk staat in het "
                        "bewijsdossier (bijlage).",
                        n=t.other_risks,
                    )
                )
            if not t.risks:
                if not t.other_risks:
                    self.empty(_("Geen risico's vastgelegd voor dit thema."))
                continue
            self.table(
                [
                    _("Risico"),
                    "K",
                    "F",
                    "E",
                    _("Score"),
                    _("Prioriteit"),
                    _("Restrisico"),
                    _("Grondoorzaak"),
                    _("Teams"),
                    _("Status"),
                ],
                [
                    [
                        f"{x.reference} {x.title}",
                        x.kans,
                        x.frequentie,
                        x.effect,
                        x.score,
                        x.priority_label,
                        x.restrisico,
                        x.grondoorzaak,
                        x.teams,
                        x.status,
                    ]
                    for x in t.risks
                ],
            )

    def onderzoek(self) -> None:
        r = self.report
        self.heading(f"3. {self.h['onderzoek']}", new_page=True)
        self.para(
            _(
                "Resultaten van teams of groepen met minder dan %(n)s respondenten worden niet getoond (anonimiteit).",
                n=r.min_respondents,
            )
        )
        if not r.onderzoeken:
            self.empty(_("Er is geen verdiepend onderzoek vastgelegd."))
        for o in r.onderzoeken:
            self.heading(o.title, 2)
            rows = [
                (_("Periode"), o.period),
                (_("Instrument"), _dash(o.instrument)),
                (_("Uitgenodigd / respondenten"), f"{_dash(o.invited)} / {_dash(o.respondents)}"),
                (_("Anoniem"), _yes(o.anonymous)),
                (_("Brengt oorzaken in beeld"), _yes(o.reveals_causes)),
                (_("Besproken met medewerkers"), _day(o.discussed_on)),
                (_("Thema's"), ", ".join(o.themes) or "—"),
            ]
            if o.summary:
                rows.append((_("Samenvatting"), o.summary))
            self.facts([_Fact(a, b) for a, b in rows])
            if not o.results:
                self.empty(_("Geen resultaten per team vastgelegd."))
                continue
            hidden = _("Afgeschermd: minder dan %(n)s respondenten.", n=r.min_respondents)
            self.table(
                [_("Team of groep"), _("Respondenten"), _("Scores (1-5, hoger = groter knelpunt)")],
                [
                    [
                        res.label,
                        res.respondents,
                        "; ".join(f"{f}: {s}" for f, s in res.scores) if res.shown else hidden,
                    ]
                    for res in o.results
                ],
            )

    def plan(self) -> None:
        r = self.report
        self.heading(f"4. {self.h['plan']}", new_page=True)
        if r.summarised:
            self.para(
                _(
                    "Dit plan telt %(n)s maatregelen, meer dan %(max)s. Daarom staan hieronder volledig de "
                    "risico's met prioriteit hoog en daarna middel, de hoogste score eerst, met al hun "
                    "maatregelen, tot samen %(max)s maatregelen; de overige risico's staan geteld per thema "
                    "en prioriteit.",
                    n=r.measure_total,
                    max=r.full_max,
                )
            )
            if r.annex:
                self.para(
                    _(
                        "De volledige bijlage is het bewijsdossier %(f)s (SHA-256 %(h)s).",
                        f=r.annex[0],
                        h=r.annex[1],
                    )
                )
        headers = [
            _("Ref."),
            _("Maatregel"),
            _("Niveau"),
            _("Aanpak"),
            _("Verantwoordelijke"),
            _("Termijn"),
            _("Status"),
            _("Budget"),
        ]
        for g in r.plan_groups:
            if g.risk is not None:
                self.heading(f"{g.risk.reference} {g.risk.title} ({g.theme}, {g.risk.priority_label})", 3)
            else:
                self.heading(_("Maatregelen zonder risico"), 3)
            if not g.measures:
                self.empty(_("Geen maatregelen vastgelegd voor dit risico."))
                continue
            self.table(headers, [_measure_row(m) for m in g.measures])
        if not r.plan_groups and not r.summary_lines:
            self.empty(_("Er zijn geen risico's en geen maatregelen vastgelegd."))
        if r.summary_lines:
            self.heading(_("Overige risico's, samengevat"), 2)
            self.table(
                [_("Thema"), _("Prioriteit"), _("Risico's"), _("Maatregelen"), _("Open"), _("Te laat")],
                [[s.theme, s.priority, s.risks, s.measures, s.open, s.overdue] for s in r.summary_lines],
            )

    def voorlichting(self) -> None:
        r = self.report
        self.heading(f"5. {self.h['voorlichting']}", new_page=True)
        self.facts([r.coverage, r.instruction])
        self.heading(_("Bijeenkomsten"), 2)
        if r.sessions:
            self.table(
                [
                    _("Datum"),
                    _("Onderwerp"),
                    _("Doelgroep"),
                    _("Instructie leidinggevenden"),
                    _("Teams"),
                    _("Aanwezig"),
                ],
                [
                    [
                        _day(s["date"]),
                        s["topic"],
                        s["audience"],
                        _yes(s["instructie"]),
                        s["teams"],
                        s["present"],
                    ]
                    for s in r.sessions
                ],
            )
            self.more("sessions")
        else:
            self.empty(_("Er zijn geen voorlichtingsbijeenkomsten vastgelegd."))
        self.heading(_("Bereik per team (laatste 12 maanden)"), 2)
        if r.team_coverage:
            self.table(
                [_("Team"), _("Geïnformeerd"), _("Medewerkers"), _("Bereik")],
                [[t["team"], t["informed"], t["total"], t["pct"]] for t in r.team_coverage],
            )
            self.more("teams")
        else:
            self.empty(_("Er zijn geen teams vastgelegd."))

    def evaluaties(self) -> None:
        r = self.report
        self.heading(f"6. {self.h['evaluaties']}", new_page=True)
        if not r.evaluations:
            self.empty(_("Er zijn geen evaluaties vastgelegd."))
            return
        self.table(
            [
                _("Soort"),
                _("Onderwerp"),
                _("Methode"),
                _("Gepland"),
                _("Uitgevoerd"),
                _("Effect"),
                _("Conclusie"),
                _("Beleid bijgesteld"),
                _("Vervolgmaatregelen"),
            ],
            [
                [
                    e["kind"],
                    e["subject"],
                    e["method"],
                    _day(e["planned_on"]),
                    _day(e["done_on"]),
                    e["effect"],
                    e["conclusion"],
                    _yes(e["adjusted"]),
                    "; ".join(e["follow_ups"]) or "—",
                ]
                for e in r.evaluations
            ],
        )
        self.more("evaluations")

    def gedrag(self) -> None:
        r = self.report
        self.heading(f"7. {self.h['gedrag']}", new_page=True)
        self.heading(_("Beleidsinstrumenten"), 2)
        if r.instruments:
            self.table(
                [_("Soort"), _("Naam"), _("Status"), _("Vastgesteld"), _("Bekendgemaakt")],
                [
                    [i["kind"], i["name"], i["status"], _day(i["adopted_on"]), _day(i["made_known_on"])]
                    for i in r.instruments
                ],
            )
        else:
            self.empty(_("Er zijn geen beleidsinstrumenten vastgelegd."))
        self.heading(_("Vertrouwenspersoon"), 2)
        if r.vertrouwenspersoon:
            self.facts(r.vertrouwenspersoon)
        else:
            self.empty(_("Er is geen vertrouwenspersoon vastgelegd."))
        self.heading(_("Meldingen (totalen)"), 2)
        if r.incident_totals:
            rows = [[x["theme"], x["count"], x["opvang"]] for x in r.incident_totals]
            self.table(
                [_("Thema"), _("Meldingen"), _("Met opvang")], [*rows, [_("Totaal"), r.incident_total, ""]]
            )
        else:
            self.empty(_("Er zijn geen meldingen vastgelegd."))

    def zelfinspectie(self) -> None:
        r = self.report
        self.heading(f"8. {self.h['zelfinspectie']}", new_page=True)
        self.facts([r.zelfinspectie_score])
        if r.zelfinspectie_items:
            self.table(
                [_("Nr"), _("Vraag"), _("Antwoord"), _("Toelichting en bewijs"), _("Datum")],
                [
                    [
                        i["id"],
                        i["question"],
                        i["answer"],
                        "\n".join(x for x in (i["explanation"], i["evidence"]) if x) or "—",
                        _day(i["date"]),
                    ]
                    for i in r.zelfinspectie_items
                ],
            )

    def or_section(self) -> None:
        r = self.report
        self.heading(f"9. {self.h['or']}", new_page=True)
        if r.approvals:
            self.table(
                [_("Onderwerp"), _("Voorgelegd op"), _("Besluit"), _("Besluit op"), _("Opmerkingen OR/PVT")],
                [
                    [a.subject, _day(a.submitted_on), a.decision, _day(a.decided_on), a.remarks]
                    for a in r.approvals
                ],
            )
        else:
            self.empty(_("Er is niets aan de OR/PVT voorgelegd."))
        if r.comments:
            self.facts(r.comments)
        self.heading(_("Ondertekening"), 2)
        self.para(
            _(
                "Werkgever en OR/PVT verklaren dat dit rapport de RI&E en het Plan van Aanpak PSA weergeeft "
                "zoals vastgelegd op %(d)s.",
                d=_day(r.report_date),
            )
        )
        lines = [f"{_('Naam')}:", f"{_('Datum')}:", f"{_('Handtekening')}:"]
        table = self.doc.add_table(rows=1 + len(lines), cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Namens de werkgever")
        table.rows[0].cells[1].text = _("Namens de OR/PVT")
        for row, text in zip(table.rows[1:], lines, strict=True):
            row.height = Cm(1.6)
            row.cells[0].text = text
            row.cells[1].text = text

    def appendix(self) -> None:
        r = self.report
        self.heading(f"10. {self.h['appendix']}", new_page=True)
        self.heading(_("Methode: Kinney"), 2)
        self.table(
            [_("Factor"), _("Waarden")],
            [[s["factor"], "; ".join(f"{v} = {n}" for v, n in s["values"])] for s in r.kinney],
        )
        self.heading(_("Prioriteit"), 3)
        self.facts(r.thresholds)
        self.heading(_("Documenten in het dossier"), 2)
        if r.documents:
            self.table(
                [_("Soort"), _("Bestand"), _("Datum"), "SHA-256"],
                [[d["kind"], d["filename"], _day(d["date"]), d["sha256"]] for d in r.documents],
            )
            self.more("documents")
        else:
            self.empty(_("Er zijn geen documenten vastgelegd."))
        if r.annex:
            self.para(_("Bijlage: bewijsdossier %(f)s, SHA-256 %(h)s.", f=r.annex[0], h=r.annex[1]))

    # --- the file ------------------------------------------------------------------------------

    def save(self) -> bytes:
        r = self.report
        moment = datetime(r.report_date.year, r.report_date.month, r.report_date.day, tzinfo=UTC)
        props = self.doc.core_properties
        props.author = r.org_name
        props.last_modified_by = "riecycle"
        props.title = f"{r.title} – {r.org_name}"
        props.subject = r.title
        props.comments = ""
        props.keywords = "RI&E, PSA"
        props.created = props.modified = moment
        props.last_printed = moment
        props.revision = 1
        buffer = BytesIO()
        self.doc.save(buffer)
        return _fixed_zip(
            buffer.getvalue(), (r.report_date.year, r.report_date.month, r.report_date.day, 0, 0, 0)
        )


class _Fact:
    def __init__(self, label, value, note=None):
        self.label, self.value, self.note = label, value, note


def _measure_row(m) -> list:
    budget = fmt_money(m.budget)
    late = f" ({_('te laat')})" if m.overdue else ""
    return [
        m.reference,
        m.title,
        m.level,
        m.approach,
        m.responsible,
        f"{_day(m.termijn)}{late}",
        m.status,
        budget,
    ]


def _fixed_zip(data: bytes, stamp: tuple) -> bytes:
    """The same zip with every entry dated `stamp` and in name order: byte-identical runs."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        # [Content_Types].xml must stay first for some readers.
        ordered = [n for n in names if n == "[Content_Types].xml"] + sorted(
            n for n in names if n != "[Content_Types].xml"
        )
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def render_docx(report) -> bytes:
    """The report as .docx bytes."""
    with force_locale(report.lang):
        writer = _Writer(report)
        writer.write()
        return writer.save()
