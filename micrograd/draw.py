"""Pictures of graphs with Graphviz: the computation graph of a `Value` or a `Tensor`, the layout of an `MLP`."""

import sys
import warnings

import graphviz

from micrograd.engine import Value
from micrograd.gradcheck import Disagreement

# Beyond this many values a drawing is unreadable and slow to render (5,000 take ~15 s).
MAX_READABLE_NODES = 500


def draw_dot(root, rankdir="LR", show_grad=True, highlight=()):
    """The computation graph behind `root` as a `graphviz.Digraph`, inputs on the left.

    Each value is a box showing its label, data and (if `show_grad`) grad; each operation is
    a small oval feeding the value it produced. For a `Tensor` graph each box shows the
    tensor's shape instead (and its numbers if it holds just one, such as a loss).

    Values in `highlight` are filled in colour: a list of values (all in one colour) or a
    dict {value: fill colour}. The list `gradcheck.blame(root)` returns works too: each node
    it blames is filled red and each disagreeing edge is drawn red, labelled with the stored
    local derivative and the slope of the node's operation.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    tensor = _is_tensor(root)
    if not (isinstance(root, Value) or tensor):
        raise TypeError(f"draw_dot needs a Value or a Tensor, got {type(root).__name__}")
    order = root.topological_order()
    if len(order) > MAX_READABLE_NODES:
        warnings.warn(f"draw_dot: this graph has {len(order):,} nodes, too many to read "
                      f"(more than {MAX_READABLE_NODES}); rendering it will be slow", stacklevel=2)
    fills, blamed_edges = _highlights(highlight)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": rankdir, "bgcolor": "transparent"})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    for node in order:
        uid = str(id(node))
        fields = [str(node.label)] if node.label else []
        fields += _tensor_fields(node, show_grad) if tensor else _value_fields(node, show_grad)
        style = {"style": "filled", "fillcolor": fills[id(node)]} if id(node) in fills else {}
        dot.node(uid, "{ " + " | ".join(_escape(f) for f in fields) + " }", shape="record", **style)
        if node._op:
            # ordering="in": operands drawn in order, the left operand on the left
            dot.node(uid + node._op, _escape(node._op), shape="oval", style="filled", fillcolor="#e8eef7",
                     ordering="in")
            dot.edge(uid + node._op, uid)
            for i, child in enumerate(node._prev):  # `a + a` draws two edges: a is used twice
                blamed = blamed_edges.get((id(node), i), {})
                dot.edge(str(id(child)), uid + node._op, **blamed)
    return dot


# The colours of blame's findings: a pale red fill for the node, a strong red for the edge.
BLAMED_FILL, BLAMED_EDGE = "#f4b6ae", "#c0392b"


def _highlights(highlight):
    """{id(value): fill colour} and {(id(node), operand index): edge style} from `highlight`."""
    if isinstance(highlight, dict):
        return {id(v): colour for v, colour in highlight.items()}, {}
    fills, edges = {}, {}
    for item in highlight:
        if isinstance(item, Disagreement):
            fills[id(item.node)] = BLAMED_FILL
            # The operand's place among the node's operands (`a * a` has it twice).
            for i, (child, local) in enumerate(zip(item.node._prev, item.node._local_grads)):
                if child is item.operand and local == item.stored:
                    label = f"stored {item.stored:.4g}\\nslope {item.estimated:.4g}"
                    edges[(id(item.node), i)] = {"color": BLAMED_EDGE, "fontcolor": BLAMED_EDGE,
                                                 "penwidth": "2.5", "label": label,
                                                 "fontname": "Helvetica", "fontsize": "10"}
        else:
            fills[id(item)] = "#ffe08a"
    return fills, edges


def _value_fields(node, show_grad):
    fields = [f"data {node.data:.4f}"]
    if show_grad:
        fields.append(f"grad {node.grad:.4f}")
    return fields


def _tensor_fields(node, show_grad):
    """A tensor's shape; its number too (and gradient) when it holds just one."""
    fields = [f"shape {tuple(node.shape)}"]
    if node.data.size == 1:
        fields.append(f"data {node.data.item():.4f}")
        if show_grad:
            fields.append(f"grad {node.grad.item():.4f}")
    return fields


def _is_tensor(x):
    # micrograd.tensor needs NumPy; if nobody imported it, x cannot be a Tensor.
    module = sys.modules.get("micrograd.tensor")
    return module is not None and isinstance(x, module.Tensor)


def draw_mlp(model):
    """The architecture of an `MLP`: one circle per input and per neuron, an arrow per weight.

    Columns from left to right: the inputs x1, x2, ..., then each layer, its neurons in order
    from the top, each labelled with its activation.
    """
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR", "bgcolor": "transparent", "fontname": "Helvetica",
                                                     "nodesep": "0.15", "ranksep": "1.2"})
    dot.attr("node", shape="circle", fontname="Helvetica", fontsize="10", width="0.45", fixedsize="true")
    dot.attr("edge", arrowsize="0.4", color="#888888")
    n_inputs = len(model.layers[0].neurons[0].w)
    columns = [("inputs", [(f"x{i + 1}", f"x{i + 1}", "#cfe2ff") for i in range(n_inputs)])]
    for k, layer in enumerate(model.layers):
        last = k == len(model.layers) - 1
        colour = "#d1f0d1" if last else "#fff3c4"
        nodes = [(f"L{k + 1}n{j + 1}", neuron.activation, colour) for j, neuron in enumerate(layer.neurons)]
        columns.append(("output" if last else f"hidden {k + 1}", nodes))
    for k, (title, nodes) in enumerate(columns):
        with dot.subgraph() as column:
            column.attr(rank="same")
            column.node(f"title{k}", title, shape="plaintext", fixedsize="false", fontsize="12")
            for name, label, colour in nodes:
                column.node(name, label, style="filled", fillcolor=colour)
            # Graphviz reorders the nodes of a column to untangle edges (it drew x3, x1, x2);
            # a chain of invisible edges from the title down pins them in order from the top.
            chain = [f"title{k}"] + [name for name, _, _ in nodes]
            for upper, lower in zip(chain, chain[1:]):
                column.edge(upper, lower, style="invis")
    for (_, left), (_, right) in zip(columns, columns[1:]):
        for target, _, _ in right:
            for source, _, _ in left:
                dot.edge(source, target)
    return dot


def _escape(text):
    """Protects the characters that Graphviz record labels treat as structure."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def draw_gradient_flow(root, number_format=".4g", rankdir="LR"):
    """The graph behind `root` as gates and wires, after `root.backward()`.

    Each operation is a circle (a gate); each wire carries a value forward,
    labelled with its name and data, and a gradient back, labelled
    `upstream × local = contribution`: the gradient of the gate it feeds
    times that gate's local derivative. An input's grad, shown under its
    name, is the sum of what comes back along its wires.
    """
    def num(x):
        return format(x, number_format)

    def name(v):
        return _html(str(v.label)) if v.label else "value"

    def wire(v, back):
        return (f'<{name(v)} = {num(v.data)}<br/>'
                f'<font color="#c0392b">&#8592; {back}</font>>')

    dot = graphviz.Digraph(format="svg", graph_attr={
        "rankdir": rankdir, "bgcolor": "transparent", "ranksep": "0.3"})
    dot.attr("node", fontname="Helvetica", fontsize="12")
    dot.attr("edge", fontname="Helvetica", fontsize="11")
    for node in root.topological_order():
        uid = str(id(node))
        if not node._prev:  # an input: its name, and the sum that came back
            dot.node(uid, f'<<b>{name(node)}</b><br/><font color="#c0392b">'
                          f'grad {num(node.grad)}</font>>', shape="plaintext")
            continue
        dot.node(uid, _html(node._op), shape="circle", style="filled",
                 fillcolor="#e8eef7", ordering="in")
        for child, local in zip(node._prev, node._local_grads):
            back = (f"{num(node.grad)} &#215; {num(local)} = "
                    f"{num(node.grad * local)}")
            dot.edge(str(id(child)), uid,
                     label=wire(child, back))
    dot.node("output", f"<<b>{name(root)}</b>>", shape="plaintext")
    dot.edge(str(id(root)), "output", label=wire(root, num(root.grad)))
    return dot


def _html(text):
    """Protects the characters that Graphviz HTML-like labels treat as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
