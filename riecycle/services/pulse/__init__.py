"""Pulse monitoring per team (docs/domain.md §7): compose, open rounds, answer, and anonymous results.

Every per-team number that reveals answers passes through visible_team_results(), which
withholds a team's answers below min_respondents() (config, never below 3). Response
counts and rates are not answers and are always shown: a falling response rate is itself
the signal the study found.

One module per part, all names importable from here:

- items.py: the statements, the scale, the constants and the anonymity threshold;
- surveys.py: composing the survey;
- lifecycle.py: rounds (due, open with personal tokens, mail the links, close, purge tokens);
- answers.py: answering with a token;
- results.py: per-team and organisation results, trends, falling response, freezing;
- comparison.py: baseline (verdiepend onderzoek) versus follow-up.

The daily job that opens due rounds and commits is riecycle/jobs/pulse.py.
"""

from riecycle.services.pulse.answers import (  # noqa: F401
    TOKEN_CLOSED,
    TOKEN_NOT_YET,
    TOKEN_OK,
    TOKEN_UNKNOWN,
    TOKEN_USED,
    TokenRefused,
    find_token,
    find_token_by_hash,
    submit_answers,
    submit_answers_by_hash,
    token_state,
)
from riecycle.services.pulse.comparison import (  # noqa: F401
    ComparisonRow,
    Side,
    common_items,
    compare,
    onderzoek_side,
    round_for,
    round_side,
)
from riecycle.services.pulse.items import (  # noqa: F401
    FALLING_DROP_POINTS,
    FALLING_MIN_ROUNDS,
    FALLING_WINDOW,
    MAX_ITEMS,
    MAX_OPEN_DAYS,
    SCALE,
    SEED_NAMES,
    PulseItem,
    default_item_keys,
    implementation_keys,
    item_catalogue,
    min_respondents,
    scale_labels,
    targeted_factor_keys,
)
from riecycle.services.pulse.lifecycle import (  # noqa: F401
    Issued,
    active_surveys,
    add_months,
    close_round,
    hash_token,
    invitees,
    mail_invitations,
    next_due_on,
    open_round,
    open_round_of,
    purge_tokens,
    reissue_unmailed,
    rounds,
)
from riecycle.services.pulse.results import (  # noqa: F401
    OrgResult,
    TeamHistory,
    TeamResult,
    factor_keys_of,
    falling_response,
    falling_teams,
    freeze_closed_rounds,
    freeze_results,
    is_closed,
    is_pending,
    organisation_result,
    organisation_trend,
    round_teams,
    team_histories,
    visible_team_results,
)
from riecycle.services.pulse.surveys import (  # noqa: F401
    get_survey,
    save_survey,
)
