// Showing a cell's outputs. Everything the reader's code produced is inserted as TEXT
// (textContent), never as markup; the one exception is Graphviz's SVG, which is parsed as SVG
// and stripped of scripts, event handlers, foreign objects and outside links first.

const SVG_NS = "http://www.w3.org/2000/svg";

function textBlock(text, className) {
  const pre = document.createElement("pre");
  pre.className = className;
  pre.textContent = text;
  return pre;
}

export function safeSvg(markup) {
  const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.namespaceURI !== SVG_NS || svg.nodeName !== "svg") {
    return textBlock("(Graphviz produced no picture)", "live-stderr");
  }
  for (const bad of svg.querySelectorAll("script, foreignObject, iframe, object, embed")) bad.remove();
  for (const el of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith("on")) el.removeAttribute(attr.name);
      else if ((name === "href" || name === "xlink:href") && !value.startsWith("#")) el.removeAttribute(attr.name);
    }
  }
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "graph drawn by Graphviz");
  svg.classList.add("live-graph");
  return document.importNode(svg, true);
}

// result: {outputs: [{kind, text|svg}], error: {type, message, traceback} | null, seconds}
export function renderResult(container, result) {
  for (const out of result.outputs) {
    if (out.kind === "svg") {
      const figure = document.createElement("div");
      figure.className = "live-figure";
      figure.appendChild(safeSvg(out.svg));
      container.appendChild(figure);
    } else {
      container.appendChild(textBlock(out.text, `live-${out.kind}`));
    }
  }
  if (result.error) container.appendChild(textBlock(result.error.traceback, "live-error"));
}

export function note(container, text, className = "live-note") {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  container.appendChild(p);
  return p;
}
