"""Check constraints: every column holding a stored choice only takes that choice's values.

Revision ID: lay_enums_1
Revises: x_refs_1
Create Date: 2026-12-03
"""

from alembic import op

revision = "lay_enums_1"
down_revision = "x_refs_1"
branch_labels = None
depends_on = None

# table → (constraint name, condition): the values of the enumerations in riecycle/models, frozen here.
CHECKS = {
    "organisations": (
        ("ck_organisations_risk_method", "risk_method IN ('kinney', 'matrix')"),
    ),
    "catalogue_entries": (
        ("ck_catalogue_entries_approach", "approach IN ('bronaanpak', 'veerkracht', 'rust_en_herstel', 'werk_prive')"),
        ("ck_catalogue_entries_change_type", "change_type IN ('eenvoudig', 'organisatieverandering')"),
        ("ck_catalogue_entries_level", "level IN ('organisatie', 'team', 'individu')"),
    ),
    "policy_instruments": (
        ("ck_policy_instruments_kind", "kind IN ('gedragscode', 'vertrouwenspersoon', 'klachtenregeling', 'opvang_nazorg', 'meldprocedure')"),
        ("ck_policy_instruments_status", "status IN ('concept', 'vastgesteld', 'ingetrokken')"),
        ("ck_policy_instruments_vp_kind", "vp_kind IS NULL OR vp_kind IN ('intern', 'extern')"),
    ),
    "ries": (
        ("ck_ries_performed_by_kind", "performed_by_kind IN ('intern', 'extern')"),
    ),
    "users": (
        ("ck_users_notify_mode", "notify_mode IN ('direct', 'digest', 'uit')"),
    ),
    "approvals": (
        ("ck_approvals_decision", "decision IS NULL OR decision IN ('verleend', 'geweigerd', 'advies', 'aangehouden')"),
    ),
    "checklist_answers": (
        ("ck_checklist_answers_answer", "answer IN ('voldoet', 'deels', 'voldoet_niet', 'nvt')"),
    ),
    "invitations": (
        ("ck_invitations_role", "role IN ('beheerder', 'preventiemedewerker', 'leidinggevende', 'or_lid', 'auditor')"),
    ),
    "memberships": (
        ("ck_memberships_role", "role IN ('beheerder', 'preventiemedewerker', 'leidinggevende', 'or_lid', 'auditor')"),
    ),
    "teams": (
        ("ck_teams_kind", "kind IN ('afdeling', 'locatie')"),
    ),
    "toetsingen": (
        ("ck_toetsingen_expert_kind", "expert_kind IN ('kerndeskundige', 'arbodienst')"),
        ("ck_toetsingen_toets_type", "toets_type IS NULL OR toets_type IN ('systeemtoets', 'scopetoets', 'beide')"),
    ),
    "voorlichting_sessions": (
        ("ck_voorlichting_sessions_audience", "audience IN ('alle_medewerkers', 'teams', 'leidinggevenden', 'nieuwe_medewerkers')"),
        ("ck_voorlichting_sessions_recurrence", "recurrence IN ('geen', 'jaarlijks', 'nieuwkomers')"),
    ),
    "onderzoek_teams": (
        ("ck_onderzoek_teams_group_kind", "group_kind IS NULL OR group_kind IN ('afdeling', 'functiegroep')"),
        ("ck_onderzoek_teams_scope", "scope IN ('team', 'groep', 'organisatie')"),
    ),
    "plan_participations": (
        ("ck_plan_participations_method", "method IN ('werkgroep', 'teamoverleg', 'vragenlijst')"),
    ),
    "risks": (
        ("ck_risks_current_method", "current_method IS NULL OR current_method IN ('kinney', 'matrix')"),
        ("ck_risks_current_priority", "current_priority IS NULL OR current_priority IN ('laag', 'middel', 'hoog')"),
        ("ck_risks_restrisico", "restrisico IS NULL OR restrisico IN ('laag', 'middel', 'hoog')"),
        ("ck_risks_scope", "scope IN ('organisatie', 'teams', 'functiegroep')"),
        ("ck_risks_source", "source IN ('rie', 'verdiepend_onderzoek', 'mto', 'pulse', 'signaal')"),
        ("ck_risks_status", "status IN ('open', 'in_behandeling', 'beheerst', 'nvt')"),
    ),
    "attendances": (
        ("ck_attendances_status", "status IN ('aanwezig', 'afwezig', 'afgemeld')"),
    ),
    "measures": (
        ("ck_measures_approach", "approach IN ('bronaanpak', 'veerkracht', 'rust_en_herstel', 'werk_prive')"),
        ("ck_measures_change_type", "change_type IN ('eenvoudig', 'organisatieverandering')"),
        ("ck_measures_level", "level IN ('organisatie', 'team', 'individu')"),
        ("ck_measures_status", "status IN ('gepland', 'in_uitvoering', 'uitgevoerd', 'geevalueerd', 'vervallen')"),
    ),
    "reminder_ledger": (
        ("ck_reminder_ledger_channel", "channel IN ('mail', 'digest', 'app', 'invitation')"),
        ("ck_reminder_ledger_status", "status IN ('claimed', 'sent', 'failed')"),
    ),
    "risk_evaluations": (
        ("ck_risk_evaluations_method", "method IN ('kinney', 'matrix')"),
        ("ck_risk_evaluations_priority", "priority IN ('laag', 'middel', 'hoog')"),
    ),
    "evaluations": (
        ("ck_evaluations_effect", "effect IS NULL OR effect IN ('opgelost', 'deels', 'niet')"),
        ("ck_evaluations_kind", "kind IN ('maatregel', 'thema')"),
        ("ck_evaluations_method", "method IN ('interview', 'groepsgesprek', 'herhaalde_vragenlijst', 'pulse')"),
    ),
    "incidents": (
        ("ck_incidents_party", "party IN ('collega', 'leidinggevende', 'ouder_klant', 'leerling_client', 'bezoeker', 'onbekend')"),
    ),
    "measure_status_changes": (
        ("ck_measure_status_changes_from_status", "from_status IS NULL OR from_status IN ('gepland', 'in_uitvoering', 'uitgevoerd', 'geevalueerd', 'vervallen')"),
        ("ck_measure_status_changes_to_status", "to_status IN ('gepland', 'in_uitvoering', 'uitgevoerd', 'geevalueerd', 'vervallen')"),
    ),
}


def upgrade():
    # One batch per table: SQLite rebuilds the table once and does not reflect CHECK constraints.
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), condition)


def downgrade():
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(op.f(name), type_="check")
