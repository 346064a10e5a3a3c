"""Expectations for "Aan de slag": every member may reopen or close it on their own home page."""

from tests.matrix import EVERYONE, org_route

ROUTES = {
    "dashboard.start_toggle": org_route(EVERYONE, data=lambda world: {"tonen": "1"}),
}
