"""The automatic checks of the self-inspection, keyed by the rule key in seed/checklist.yaml.

Each rule is a small function rule(org, today) -> Result that only reads: an answer (voldoet,
deels, voldoet_niet, nvt, or None when the records cannot tell), one Dutch sentence that names
the numbers, references to the evidence, and optionally where to fix it. Evidence labels never
name an employee (docs/domain.md §9): snapshots are shown to OR members and auditors as well.

Layout: core.py holds the records (Result, Count, Ref) and the registry; helpers.py the queries
and references shared by several sections; a.py to e.py the rules of checklist sections A to E.
Importing this package registers every rule in RULES.
"""

from riecycle.zelfinspectie_rules.a import (
    art14_exemption,
    bronnen_mapped,
    hybrid_work_considered,
    or_instemming_rie,
    rie_covers_all_themes,
    rie_current,
    toetsing_or_exempt,
)
from riecycle.zelfinspectie_rules.b import (
    every_risk_has_measure,
    measures_have_owner_and_termijn,
    measures_on_schedule,
    organisation_level_first,
    participation_in_choice,
    rust_en_herstel_measures,
)
from riecycle.zelfinspectie_rules.c import (
    attendance_register,
    leidinggevenden_instructed,
    voorlichting_coverage,
)
from riecycle.zelfinspectie_rules.core import (
    COVERAGE_OK,
    COVERAGE_PARTLY,
    EVALUATE_AFTER_DAYS,
    EVIDENCE_MAX,
    INSTRUCTION_MONTHS,
    LIST_MAX,
    OVERDUE_OK,
    OVERDUE_PARTLY,
    REPEAT_AFTER_DAYS,
    RULES,
    Count,
    Ref,
    Result,
    pack_ids,
    rule,
    unpack_ids,
)
from riecycle.zelfinspectie_rules.d import (
    gedragscode,
    incidents_registered,
    klachtenregeling,
    opvang_nazorg,
    vertrouwenspersoon,
)
from riecycle.zelfinspectie_rules.e import (
    effect_same_sources,
    measures_evaluated,
    policy_adjusted,
    preventiemedewerker_appointed,
)
from riecycle.zelfinspectie_rules.helpers import (
    COUNTED_KINDS,
    evaluation_ref,
    instrument_ref,
    measure_label,
    rie_ref,
    risk_ref,
    session_ref,
)

__all__ = [
    "COUNTED_KINDS",
    "COVERAGE_OK",
    "COVERAGE_PARTLY",
    "Count",
    "EVALUATE_AFTER_DAYS",
    "EVIDENCE_MAX",
    "INSTRUCTION_MONTHS",
    "LIST_MAX",
    "OVERDUE_OK",
    "OVERDUE_PARTLY",
    "REPEAT_AFTER_DAYS",
    "RULES",
    "Ref",
    "Result",
    "art14_exemption",
    "attendance_register",
    "bronnen_mapped",
    "effect_same_sources",
    "evaluation_ref",
    "every_risk_has_measure",
    "gedragscode",
    "hybrid_work_considered",
    "incidents_registered",
    "instrument_ref",
    "klachtenregeling",
    "leidinggevenden_instructed",
    "measure_label",
    "measures_evaluated",
    "measures_have_owner_and_termijn",
    "measures_on_schedule",
    "opvang_nazorg",
    "or_instemming_rie",
    "organisation_level_first",
    "pack_ids",
    "participation_in_choice",
    "policy_adjusted",
    "preventiemedewerker_appointed",
    "rie_covers_all_themes",
    "rie_current",
    "rie_ref",
    "risk_ref",
    "rule",
    "rust_en_herstel_measures",
    "session_ref",
    "toetsing_or_exempt",
    "unpack_ids",
    "vertrouwenspersoon",
    "voorlichting_coverage",
]
