"""Pictures of graphs with Graphviz: the computation graph of a `Value`, the layout of an `MLP`."""

import graphviz


def draw_dot(root, rankdir="LR", show_grad=True, highlight=()):
    """The computation graph behind `root` as a `graphviz.Digraph`, inputs on the left.

    Each value is a box showing its label, data and (if `show_grad`) grad; each operation is
    a small oval feeding the value it produced. Values in `highlight` are filled in colour.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    highlighted = {id(v) for v in highlight}
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": rankdir, "bgcolor": "transparent"})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    for node in root.topological_order():
        uid = str(id(node))
        fields = [node.label] if node.label else []
        fields.append(f"data {node.data:.4f}")
        if show_grad:
            fields.append(f"grad {node.grad:.4f}")
        style = {"style": "filled", "fillcolor": "#ffe08a"} if id(node) in highlighted else {}
        dot.node(uid, "{ " + " | ".join(_escape(f) for f in fields) + " }", shape="record", **style)
        if node._op:
            dot.node(uid + node._op, _escape(node._op), shape="oval", style="filled", fillcolor="#e8eef7")
            dot.edge(uid + node._op, uid)
            for child in dict.fromkeys(node._prev):  # `a + a` draws one edge, not two
                dot.edge(str(id(child)), uid + node._op)
    return dot


def draw_mlp(model):
    """The architecture of an `MLP`: one circle per input and per neuron, an arrow per weight."""
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR", "bgcolor": "transparent", "fontname": "Helvetica",
                                                     "nodesep": "0.15", "ranksep": "1.2"})
    dot.attr("node", shape="circle", fontname="Helvetica", fontsize="10", width="0.45", fixedsize="true")
    dot.attr("edge", arrowsize="0.4", color="#888888")
    previous = [f"x{i + 1}" for i in range(len(model.layers[0].neurons[0].w))]
    with dot.subgraph(name="cluster_inputs") as s:
        s.attr(label="inputs", color="white")
        for name in previous:
            s.node(name, name, style="filled", fillcolor="#cfe2ff")
    for k, layer in enumerate(model.layers):
        last = k == len(model.layers) - 1
        names = [f"L{k + 1}n{j + 1}" for j in range(len(layer.neurons))]
        with dot.subgraph(name=f"cluster_{k}") as s:
            s.attr(label="output" if last else f"hidden {k + 1}", color="white")
            for name, neuron in zip(names, layer.neurons):
                s.node(name, neuron.activation, style="filled", fillcolor="#d1f0d1" if last else "#fff3c4")
        for name in names:
            for p in previous:
                dot.edge(p, name)
        previous = names
    return dot


def _escape(text):
    """Protects the characters that Graphviz record labels treat as structure."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text
