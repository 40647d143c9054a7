"""Human views of a graph: the per-plane plan summary and the architecture diagrams.

The summary reads like a preview: planes, then components, then resource types with counts.
Diagrams (Mermaid and Graphviz DOT) draw one box per plane with its components and resource
counts, and an edge wherever a resource in one plane depends on a resource in another.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.tree import Tree

from blueprint.graph import Graph

PLANE_ORDER = ("governance", "network", "experience", "ingress", "orchestration", "data", "model", "operations")


def _plane_key(plane: str | None) -> tuple[int, str]:
    name = plane or "unassigned"
    return (PLANE_ORDER.index(name) if name in PLANE_ORDER else len(PLANE_ORDER), name)


def short_type(type_token: str) -> str:
    """'oci:Core/subnet:Subnet' → 'Core.Subnet'; 'kubernetes:apps/v1:Deployment' → 'apps/v1.Deployment'."""
    package, _, rest = type_token.partition(":")
    module, _, name = rest.partition(":")
    module = module.split("/")[0] if package == "oci" else module
    return f"{module}.{name}" if module and module != "index" else name


def summary_tree(graph: Graph) -> Tree:
    resources = list(graph.resources())
    title = f"[bold]{graph.project}[/] / [bold]{graph.stack}[/]: {len(resources)} resources"
    tree = Tree(title + (" (preview: ids unknown)" if graph.preview else ""))
    by_plane: dict[str | None, list] = defaultdict(list)
    for node in resources:
        by_plane[node.plane].append(node)
    for plane in sorted(by_plane, key=_plane_key):
        nodes = by_plane[plane]
        branch = tree.add(f"[cyan]{plane or 'unassigned'}[/] ({len(nodes)})")
        counts = Counter(short_type(n.type) for n in nodes)
        for type_name, count in sorted(counts.items()):
            branch.add(f"{count:>3} × {type_name}")
    return tree


def summary_text(graph: Graph) -> str:
    """Plain-text summary (for logs and tests): one line per plane and type."""
    lines = [f"{graph.project}/{graph.stack}: {sum(1 for _ in graph.resources())} resources"]
    by_plane: dict[str | None, Counter[str]] = defaultdict(Counter)
    for node in graph.resources():
        by_plane[node.plane][short_type(node.type)] += 1
    for plane in sorted(by_plane, key=_plane_key):
        lines.append(f"  {plane or 'unassigned'} ({sum(by_plane[plane].values())})")
        lines.extend(f"    {count:>3} x {t}" for t, count in sorted(by_plane[plane].items()))
    return "\n".join(lines)


def _plane_edges(graph: Graph) -> Counter[tuple[str, str]]:
    plane_of = {n.urn: n.plane or "unassigned" for n in graph.nodes}
    edges: Counter[tuple[str, str]] = Counter()
    for node in graph.resources():
        src = node.plane or "unassigned"
        for dep in node.dependencies:
            dst = plane_of.get(dep)
            if dst and dst != src:
                edges[(src, dst)] += 1
    return edges


def _components(graph: Graph) -> dict[str, list[tuple[str, str, int]]]:
    """plane → [(component name, type, resource count)] for top-level components."""
    children: Counter[str] = Counter()
    parent_of = {n.urn: n.parent for n in graph.nodes}
    for node in graph.resources():
        top = node.urn
        while parent_of.get(top):
            top = parent_of[top] or top
        children[top] += 1
    out: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for node in graph.nodes:
        if not node.custom and node.parent is None:
            out[node.plane or "unassigned"].append((node.name, node.type.rsplit(":", 1)[-1], children[node.urn]))
    return out


def _ident(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def mermaid(graph: Graph) -> str:
    lines = ["flowchart LR", f"  %% {graph.project}/{graph.stack}: planes, components and cross-plane dependencies"]
    for plane, comps in sorted(_components(graph).items(), key=lambda kv: _plane_key(kv[0])):
        lines.append(f"  subgraph {_ident(plane)}[\"{plane} plane\"]")
        for name, kind, count in sorted(comps):
            lines.append(f"    {_ident(name)}[\"{kind}<br/>{name}<br/>{count} resources\"]")
        lines.append("  end")
    for (src, dst), count in sorted(_plane_edges(graph).items()):
        lines.append(f"  {_ident(src)} -->|{count}| {_ident(dst)}")
    return "\n".join(lines) + "\n"


def dot(graph: Graph) -> str:
    lines = [f"digraph \"{graph.project}-{graph.stack}\" {{", "  rankdir=LR; compound=true;",
             "  node [shape=box, style=rounded, fontname=Helvetica];"]
    anchors: dict[str, str] = {}
    for plane, comps in sorted(_components(graph).items(), key=lambda kv: _plane_key(kv[0])):
        lines.append(f"  subgraph cluster_{_ident(plane)} {{ label=\"{plane} plane\";")
        for name, kind, count in sorted(comps):
            lines.append(f"    {_ident(name)} [label=\"{kind}\\n{name}\\n{count} resources\"];")
            anchors.setdefault(plane, _ident(name))
        lines.append("  }")
    for (src, dst), count in sorted(_plane_edges(graph).items()):
        if src in anchors and dst in anchors:
            lines.append(f"  {anchors[src]} -> {anchors[dst]} [label=\"{count}\", ltail=cluster_{_ident(src)}, "
                         f"lhead=cluster_{_ident(dst)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
