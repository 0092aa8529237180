"""The day plan as an OR-Tools routing model: one vehicle, prizes as drop penalties, a time dimension.

Every stop sits in its own disjunction: an optional stop's penalty is its prize; a must-visit's
penalty is larger than every prize together, so the solver leaves one out only when the day
cannot hold it (a hard constraint would make such days unsolvable instead of explainable).
Arc cost is metres; the time dimension carries travel plus the visit's duration, with slack for
waiting, and the start-time intervals of each stop.

Determinism: the routing library runs on one thread and is deterministic for a given model; the
search stops on a *solution limit* the planner derives from the time limit (see
`planner.SOLUTIONS_PER_SECOND`), the time limit being a backstop for a slow or busy machine.

Tuning (measured in benchmarks/bench_routing.py): guided local search with lambda 0.3 rather
than 0.1 (the default stalled 5–6 % above the optimum of berlin52), the multi-route and LNS
neighbourhoods switched off (they cost time and cannot help one vehicle), and a polished
insertion plan handed in as the first solution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # type: ignore[import-untyped]
from ortools.util import optional_boolean_pb2  # type: ignore[import-untyped]

from .problem import END, START, Problem


@dataclass(frozen=True, slots=True)
class SearchSettings:
    time_limit_s: float
    solution_limit: int | None  # None: stop on time only (not deterministic)
    first_solution: str = "PATH_CHEAPEST_ARC"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.3
    time_dimension: bool = True
    lean_operators: bool = True
    neighbors_ratio: float = 1.0  # local search looks only at this share of nearest nodes…
    min_neighbors: int = 1  # …but at least this many
    hard_must: bool = False  # must-visits without a way out (only when they are known to fit together)


# Neighbourhoods that cost much and give little on one vehicle without pickups or visit types:
# the LNS ones (each may run up to lns_time_limit) and the multi-route ones.
LEAN_OFF = (
    "use_global_cheapest_insertion_path_lns", "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns", "use_local_cheapest_insertion_visit_types_lns",
    "use_relocate_expensive_chain", "use_cross", "use_relocate_subtrip", "use_exchange_subtrip",
    "use_relocate_pair", "use_light_relocate_pair", "use_exchange_pair", "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
)


def must_penalty(problem: Problem) -> int:
    return sum(problem.prize) * 4 + 10 * max((max(row) for row in problem.metres), default=0) + 1_000_000


def solve(problem: Problem, settings: SearchSettings, hint: Sequence[int] | None = None,
          counter: list[int] | None = None) -> list[int] | None:
    """The best visiting order found (stop nodes, start and end excluded), or None if none was found."""
    n = problem.size
    manager = pywrapcp.RoutingIndexManager(n, 1, [START], [END])
    routing = pywrapcp.RoutingModel(manager)
    # A transit matrix is indexed by node (the library maps its internal indices to nodes).
    cost = routing.RegisterTransitMatrix(problem.metres)
    routing.SetArcCostEvaluatorOfAllVehicles(cost)

    if settings.time_dimension:
        travel = [[problem.seconds[i][j] + problem.service[i] for j in range(n)] for i in range(n)]
        time_cb = routing.RegisterTransitMatrix(travel)
        horizon = max(problem.day_end_s, problem.depart_s) + 1
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        dim = routing.GetDimensionOrDie("time")
        dim.CumulVar(routing.Start(0)).SetRange(problem.depart_s, horizon)
        dim.CumulVar(routing.End(0)).SetRange(problem.depart_s, problem.day_end_s)
        for node in problem.stop_nodes():
            intervals = problem.starts[node]
            var = dim.CumulVar(manager.NodeToIndex(node))
            var.SetRange(intervals[0][0], intervals[-1][1])
            for (_, hi), (lo, _) in zip(intervals, intervals[1:], strict=False):
                if lo > hi + 1:
                    var.RemoveInterval(hi + 1, lo - 1)
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(routing.End(0)))

    big = must_penalty(problem)
    for node in problem.stop_nodes():
        if settings.hard_must and problem.must[node]:
            continue
        routing.AddDisjunction([manager.NodeToIndex(node)], big if problem.must[node] else problem.prize[node])

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, settings.first_solution)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, settings.metaheuristic)
    params.guided_local_search_lambda_coefficient = settings.gls_lambda
    params.time_limit.FromMilliseconds(max(1, int(settings.time_limit_s * 1000)))
    if settings.solution_limit is not None:
        params.solution_limit = settings.solution_limit
    params.log_search = False
    params.ls_operator_neighbors_ratio = settings.neighbors_ratio
    params.ls_operator_min_neighbors = settings.min_neighbors
    if settings.lean_operators:
        ops = params.local_search_operators
        off = optional_boolean_pb2.BOOL_FALSE
        for name in LEAN_OFF:
            if hasattr(ops, name):
                setattr(ops, name, off)

    if counter is not None:
        routing.AddAtSolutionCallback(lambda: counter.append(1))
    if hint:
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(x) for x in hint]], True)
        solution = routing.SolveFromAssignmentWithParameters(start, params) if start else None
        if solution is None:
            solution = routing.SolveWithParameters(params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    order: list[int] = []
    index = routing.Start(0)
    index = solution.Value(routing.NextVar(index))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return order
