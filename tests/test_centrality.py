"""Centrality computations: the GaWC interlocking network model and route-graph measures."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sources.common.centrality import (
    betweenness_exact,
    city_graph,
    eigenvector_giant,
    interlock_matrix,
    network_connectivity,
    proportional_connectivity,
    route_centrality,
)

# 3 cities x 2 firms, by hand:
#   r_AB = 2*1 + 1*0 = 2,  r_AC = 2*3 + 1*2 = 8,  r_BC = 1*3 + 0*2 = 3
#   C_A = 2 + 8 = 10,  C_B = 2 + 3 = 5,  C_C = 8 + 3 = 11
VALUES = pd.DataFrame({"f1": [2, 1, 3], "f2": [1, 0, 2]}, index=["A", "B", "C"])


def test_interlock_matrix_by_hand():
    r = interlock_matrix(VALUES)
    expected = pd.DataFrame(
        [[0, 2, 8], [2, 0, 3], [8, 3, 0]], index=list("ABC"), columns=list("ABC"), dtype=float
    )
    pd.testing.assert_frame_equal(r, expected)


def test_network_connectivity_by_hand():
    c = network_connectivity(VALUES)
    assert c.to_dict() == {"A": 10.0, "B": 5.0, "C": 11.0}
    p = proportional_connectivity(c)
    assert p.to_dict() == pytest.approx({"A": 10 / 11, "B": 5 / 11, "C": 1.0})


def test_connectivity_equals_row_sums_of_interlocks():
    rng = np.random.default_rng(7)
    values = pd.DataFrame(rng.integers(0, 6, size=(30, 12)))
    np.testing.assert_allclose(
        network_connectivity(values).to_numpy(), interlock_matrix(values).sum(axis=1).to_numpy()
    )


@pytest.mark.parametrize("bad", [-1.0, np.nan])
def test_service_values_must_be_non_negative_numbers(bad):
    values = VALUES.astype(float)
    values.iloc[0, 0] = bad
    with pytest.raises(ValueError):
        network_connectivity(values)


def test_proportional_connectivity_needs_a_positive_value():
    with pytest.raises(ValueError):
        proportional_connectivity(pd.Series([0.0, 0.0]))


def test_city_graph_collapses_duplicates_and_refuses_self_loops():
    graph = city_graph([("a", "b"), ("b", "a"), ("a", "b")], nodes=["c"])
    assert sorted(graph.nodes()) == ["a", "b", "c"]
    assert graph.number_of_edges() == 1
    with pytest.raises(ValueError, match="self-loop"):
        city_graph([("a", "a")])


def test_betweenness_path_by_hand():
    # 0 - 1 - 2: node 1 is on the only path 0-2 (1 of 1 pairs; normalised over (n-1)(n-2)/2)
    assert betweenness_exact(nx.path_graph(3)) == {0: 0.0, 1: 1.0, 2: 0.0}


@pytest.mark.parametrize(
    "graph",
    [
        nx.star_graph(5),
        nx.path_graph(2),
        nx.empty_graph(3),
        nx.Graph([(0, 1), (2, 3), (3, 4)]),
        nx.cycle_graph(7),
        nx.random_labeled_tree(25, seed=3),
        nx.barbell_graph(4, 2),
    ],
)
def test_betweenness_equals_networkx_on_special_graphs(graph):
    ours = betweenness_exact(graph, batch=3)
    theirs = nx.betweenness_centrality(graph)
    assert ours == pytest.approx(theirs, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=30),
    density=st.floats(min_value=0.0, max_value=0.4),
    seed=st.integers(min_value=0, max_value=10_000),
    batch=st.integers(min_value=1, max_value=8),
)
def test_betweenness_equals_networkx_on_random_graphs(n, density, seed, batch):
    graph = nx.gnp_random_graph(n, density, seed=seed)
    ours = betweenness_exact(graph, batch=batch)
    assert ours == pytest.approx(nx.betweenness_centrality(graph), abs=1e-12)


def test_eigenvector_on_giant_component_zero_elsewhere():
    graph = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (10, 11)])
    ours = eigenvector_giant(graph)
    theirs = nx.eigenvector_centrality_numpy(graph.subgraph([0, 1, 2, 3]))
    assert {k: ours[k] for k in theirs} == pytest.approx(theirs, abs=1e-9)
    assert ours[10] == ours[11] == 0.0
    assert eigenvector_giant(nx.empty_graph(2)) == {0: 0.0, 1: 0.0}
    assert eigenvector_giant(nx.path_graph(2)) == pytest.approx({0: 0.5**0.5, 1: 0.5**0.5})


def test_eigenvector_equals_networkx_on_a_larger_graph():
    graph = nx.connected_watts_strogatz_graph(80, 4, 0.2, seed=1)
    ours = eigenvector_giant(graph)
    assert ours == pytest.approx(nx.eigenvector_centrality_numpy(graph), abs=1e-9)


def test_route_centrality_table():
    # star a-{b,c,d} plus a separate edge e-f
    graph = city_graph([("a", "b"), ("a", "c"), ("a", "d"), ("e", "f")])
    table = route_centrality(graph)
    assert table["degree"].to_dict() == {"a": 3, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1}
    assert table.loc["a", "degree_centrality"] == pytest.approx(3 / 5)
    # a is on the 3 paths among b, c, d: 6 ordered pairs / (5 * 4)
    assert table.loc["a", "betweenness"] == pytest.approx(6 / 20)
    assert table.loc[["b", "e"], "betweenness"].tolist() == [0.0, 0.0]
    assert table.loc[["e", "f"], "eigenvector"].tolist() == [0.0, 0.0]
    assert table.loc["a", "eigenvector"] == pytest.approx(0.5**0.5)
