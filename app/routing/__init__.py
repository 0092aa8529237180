"""Day-plan optimisation over stops, time windows and priorities. Pure: no Qt, no SQL.

    from app.routing.model import PlanRequest, Point, Stop
    from app.routing.planner import plan_day

    plan = plan_day(PlanRequest(stops=(Stop("c1", 30.66, 104.06, priority=40), ...), start=Point(30.6, 104.0)))
    plan.stops      # in visiting order, with ETAs and leg distances
    plan.skipped    # each with its reason

This package file stays empty on purpose: the planner loads OR-Tools, which the command line
must not pay for unless a route is being planned.
"""
