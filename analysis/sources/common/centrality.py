"""Economic-centrality computations (pure functions, no I/O).

Two families, both used for H2 (centrality predicts TMN participation):

* The GaWC **interlocking network model** (Taylor 2001, "Specification of the world city
  network", Geographical Analysis 33(2)): with service values ``v_aj`` of firm ``j`` in city
  ``a``, the elemental interlock of cities ``a`` and ``b`` is ``r_ab = sum_j v_aj * v_bj``
  (``a != b``) and a city's global network connectivity is ``C_a = sum_{b != a} r_ab``.
  Computed without the n x n matrix as ``C_a = sum_j v_aj * (T_j - v_aj)``, with ``T_j`` the
  firm's total service value over all cities (identical to the pairwise sum).
  The *proportional* connectivity is ``C_a / max_b C_b`` (share of the most connected city,
  GaWC's usual presentation, London = 1 in 2000).

* **Route-network centrality** of an undirected, unweighted city graph (OpenFlights): degree
  centrality (``deg / (n - 1)``, networkx), exact shortest-path betweenness (normalised as
  networkx: ``/ ((n - 1)(n - 2))`` over ordered pairs, endpoints excluded) and eigenvector
  centrality (on the largest connected component, as networkx's
  ``eigenvector_centrality_numpy``; nodes elsewhere get 0, which is their value in the
  principal eigenvector of the whole adjacency matrix).

Betweenness is the exact Brandes algorithm, written with sparse matrix products over batches of
source nodes (:func:`betweenness_exact`): networkx's pure-Python exact version needs ~60 s on
the ~3,100-city airline graph and its ``k``-sampling adds noise, while this runs in about a
second and equals ``networkx.betweenness_centrality`` (tested on random graphs).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from analysis.core.lazy import lazy_module

# networkx and scipy.sparse load on first use: the source registry imports this module at
# every Snakemake start.
nx = lazy_module("networkx")
sparse = lazy_module("scipy.sparse")

BETWEENNESS_BATCH = 1024  # sources per sweep: 3 work arrays of n x batch (~64 MB at n = 3,100)


# --------------------------------------------------------------------------- GaWC


def _service_matrix(values: pd.DataFrame) -> np.ndarray:
    matrix = values.to_numpy(dtype=float)
    if np.isnan(matrix).any():
        raise ValueError("service values contain missing values")
    if (matrix < 0).any():
        raise ValueError("service values must be non-negative")
    return matrix


def interlock_matrix(values: pd.DataFrame) -> pd.DataFrame:
    """City-by-city elemental interlocks ``r_ab = sum_j v_aj v_bj`` with a zero diagonal.

    ``values``: one row per city (index = city), one column per firm (service values).
    """
    v = _service_matrix(values)
    r = v @ v.T
    np.fill_diagonal(r, 0.0)
    return pd.DataFrame(r, index=values.index, columns=values.index)


def network_connectivity(values: pd.DataFrame) -> pd.Series:
    """Global network connectivity ``C_a = sum_{b != a} r_ab`` per city (Taylor 2001)."""
    v = _service_matrix(values)
    totals = v.sum(axis=0)
    connectivity = (v * (totals - v)).sum(axis=1)
    return pd.Series(connectivity, index=values.index, name="connectivity", dtype=float)


def proportional_connectivity(connectivity: pd.Series) -> pd.Series:
    """Connectivity as a share of the highest (the top city is 1)."""
    top = connectivity.max()
    if not top > 0:
        raise ValueError("proportional connectivity needs a city with positive connectivity")
    return (connectivity / top).rename("proportional_connectivity")


# --------------------------------------------------------------------------- graphs


def city_graph(
    edges: Iterable[tuple[Hashable, Hashable]], nodes: Iterable[Hashable] = ()
) -> nx.Graph:
    """An undirected simple graph from city pairs (duplicates and direction collapse).

    ``nodes`` adds cities that may have no edge. Self-loops are refused: a route inside one
    city is not a tie between cities and must be dropped (and counted) by the caller.
    """
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for a, b in edges:
        if a == b:
            raise ValueError(f"self-loop at {a!r}: drop same-city pairs before building the graph")
        graph.add_edge(a, b)
    return graph


def betweenness_exact(graph: nx.Graph, batch: int = BETWEENNESS_BATCH) -> dict[Hashable, float]:
    """Exact shortest-path betweenness of an undirected, unweighted graph (Brandes 2001).

    Same values as ``networkx.betweenness_centrality(graph)`` (normalized, endpoints
    excluded). Shortest-path counts and dependencies are propagated level by level for a batch
    of source nodes at once with one sparse product per level.
    """
    if graph.is_directed() or graph.is_multigraph():
        raise ValueError("betweenness_exact needs an undirected simple graph")
    nodes = list(graph.nodes())
    n = len(nodes)
    if graph.number_of_edges() == 0:
        return dict.fromkeys(nodes, 0.0)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="csr")
    adjacency = sparse.csr_matrix(adjacency, dtype=float)
    adjacency.data[:] = 1.0
    # A leaf s hanging on p (degree >= 2) sees every other node through p: its dependencies
    # equal p's, plus (component size - 2) at p. So leaves are not BFS sources; each source p
    # counts 1 + (its leaves) times, and p gets the leaves' extra term directly.
    degree = np.diff(adjacency.indptr)
    neighbour = adjacency.indices[adjacency.indptr[:-1].clip(max=adjacency.nnz - 1)]
    skip = (degree == 1) & (degree[neighbour] >= 2)
    leaves_of = np.bincount(neighbour[skip], minlength=n).astype(float)
    component = np.zeros(n)
    index = {v: i for i, v in enumerate(nodes)}
    for part in nx.connected_components(graph):
        component[[index[v] for v in part]] = len(part)
    total = leaves_of * (component - 2).clip(min=0)
    sources = np.flatnonzero(~skip)
    for start in range(0, len(sources), batch):
        chunk = sources[start : start + batch]
        total += _batch_dependencies(adjacency, chunk, n) @ (1.0 + leaves_of[chunk])
    if n > 2:
        total /= (n - 1) * (n - 2)  # networkx: normalized over ordered pairs, no endpoints
    else:
        total[:] = 0.0
    return dict(zip(nodes, total.tolist(), strict=True))


def _batch_dependencies(adjacency: sparse.csr_matrix, sources: np.ndarray, n: int) -> np.ndarray:
    """Brandes' dependencies ``delta_s(v)``, one column per source (0 at the source itself).

    Column ``i`` of the ``n x len(sources)`` work arrays belongs to source ``sources[i]``.
    Each BFS level is kept as sparse (node, column) coordinates, so the sparse products cost
    the edges leaving that level only, not the whole graph at every level.
    """
    width = len(sources)
    columns = np.arange(width)
    depth = np.full((n, width), -1, dtype=np.int32)
    sigma = np.zeros((n, width))
    depth[sources, columns] = 0
    sigma[sources, columns] = 1.0
    levels = [(sources, columns)]
    while True:
        rows, cols = levels[-1]
        frontier = sparse.csr_matrix((sigma[rows, cols], (rows, cols)), shape=(n, width))
        # csr @ csr sums per row: no duplicate coordinates, so no sum_duplicates needed
        reached = (adjacency @ frontier).tocoo()  # paths into each node from this level
        new = depth[reached.row, reached.col] < 0
        rows, cols = reached.row[new], reached.col[new]
        if rows.size == 0:
            break
        depth[rows, cols] = len(levels)
        sigma[rows, cols] = reached.data[new]
        levels.append((rows, cols))
    delta = np.zeros((n, width))
    for level in range(len(levels) - 1, 0, -1):
        rows, cols = levels[level]
        coeff = (1.0 + delta[rows, cols]) / sigma[rows, cols]
        pulled = (adjacency @ sparse.csr_matrix((coeff, (rows, cols)), shape=(n, width))).tocoo()
        parent = depth[pulled.row, pulled.col] == level - 1
        rows, cols = pulled.row[parent], pulled.col[parent]
        delta[rows, cols] += sigma[rows, cols] * pulled.data[parent]
    delta[sources, columns] = 0.0
    return delta


def eigenvector_giant(graph: nx.Graph) -> dict[Hashable, float]:
    """Eigenvector centrality on the largest connected component, 0 elsewhere.

    The Perron eigenvector of the component's adjacency matrix (``scipy.sparse.linalg.eigsh``
    from a fixed all-ones start, so runs are identical), positive and of Euclidean norm 1:
    the values of ``networkx.eigenvector_centrality_numpy`` on that component. A graph without
    edges gets 0 everywhere. Ties between equally large components go to the one whose
    sorted node labels come first.
    """
    values = dict.fromkeys(graph.nodes(), 0.0)
    if graph.number_of_edges() == 0:
        return values
    giant = max(nx.connected_components(graph), key=lambda c: (len(c), sorted(map(str, c))))
    nodes = sorted(giant, key=str)
    size = len(nodes)
    if size <= 3:  # eigsh needs k < n; tiny components are solved densely
        dense = nx.to_numpy_array(graph.subgraph(nodes), nodelist=nodes, weight=None)
        vector = np.linalg.eigh(dense)[1][:, -1]
    else:
        adjacency = nx.to_scipy_sparse_array(
            graph.subgraph(nodes), nodelist=nodes, weight=None, dtype=float, format="csr"
        )
        vector = lazy_module("scipy.sparse.linalg").eigsh(
            adjacency, k=1, which="LA", v0=np.ones(size), tol=1e-12
        )[1][:, 0]
    vector = np.abs(vector) / np.linalg.norm(vector)
    values.update(zip(nodes, vector.tolist(), strict=True))
    return values


def route_centrality(graph: nx.Graph) -> pd.DataFrame:
    """Per node: ``degree`` (distinct partner cities), ``degree_centrality``, ``betweenness``,
    ``eigenvector`` of an undirected city graph; indexed by node."""
    nodes = list(graph.nodes())
    degree = dict(graph.degree())
    n = len(nodes)
    scale = 1.0 / (n - 1) if n > 1 else 0.0
    betweenness = betweenness_exact(graph)
    eigenvector = eigenvector_giant(graph)
    return pd.DataFrame(
        {
            "degree": [float(degree[v]) for v in nodes],
            "degree_centrality": [degree[v] * scale for v in nodes],
            "betweenness": [betweenness[v] for v in nodes],
            "eigenvector": [eigenvector[v] for v in nodes],
        },
        index=pd.Index(nodes, name="node"),
    )
