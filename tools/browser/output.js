// Showing a cell's outputs. Everything the reader's code produced is inserted as TEXT
// (textContent), never as markup; the exceptions are SVG (Graphviz's graphs, the frames of
// micrograd's FramePlayer), which is parsed as SVG and stripped of scripts, event handlers, foreign
// objects and outside links first, and a frame's PNG given as a data: URL.

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
  if (!svg.getAttribute("aria-label")) svg.setAttribute("aria-label", "graph drawn by Graphviz");
  svg.classList.add("live-graph");
  return document.importNode(svg, true);
}

// One frame of a player: an inline SVG, or an <img> whose source is a PNG data: URL; else text.
function safeFrame(markup) {
  const text = markup.trim();
  if (text.startsWith("<svg")) return safeSvg(text);
  const img = /^<img\s[^>]*src="(data:image\/png;base64,[A-Za-z0-9+/=]+)"[^>]*>$/.exec(text);
  if (img) {
    const el = document.createElement("img");
    el.src = img[1];
    const alt = /\salt="([^"]*)"/.exec(text);
    el.alt = alt ? new DOMParser().parseFromString(alt[1], "text/html").documentElement.textContent : "";
    return el;
  }
  return textBlock(text, "live-result");
}

// micrograd's FramePlayer, built as the book's static pages show it: first / previous / play /
// next / last, a slider, a counter and the frame's caption.
export function player({ frames, captions, title, interval_ms: interval }) {
  const root = document.createElement("div");
  root.className = "live-player";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", title);
  const shown = frames.map((markup, i) => {
    const frame = document.createElement("div");
    frame.className = "live-frame";
    frame.dataset.caption = captions[i] || "";
    frame.appendChild(safeFrame(markup));
    return frame;
  });
  const box = document.createElement("div");
  box.className = "live-frames";
  box.append(...shown);
  const controls = document.createElement("div");
  controls.className = "live-player-controls";
  const counter = document.createElement("span");
  counter.setAttribute("aria-live", "polite");
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: "0", max: String(frames.length - 1), value: "0" });
  slider.setAttribute("aria-label", "frame number");
  const caption = document.createElement("p");
  caption.className = "live-caption";
  let current = 0;
  let timer = null;
  const show = (i) => {
    current = Math.max(0, Math.min(frames.length - 1, i));
    shown.forEach((f, k) => { f.hidden = k !== current; });
    slider.value = String(current);
    counter.textContent = `${current + 1} / ${frames.length}`;
    caption.textContent = captions[current] || "";
    root.dataset.frame = String(current);
  };
  const playButton = document.createElement("button");
  const stop = () => { clearInterval(timer); timer = null; playButton.textContent = "Play"; };
  const start = () => {
    if (current === frames.length - 1) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(() => { if (current === frames.length - 1) stop(); else show(current + 1); }, interval);
  };
  const actions = [["first frame", "«", () => { stop(); show(0); }],
    ["previous frame", "‹", () => { stop(); show(current - 1); }],
    ["play", "Play", () => { if (timer) stop(); else start(); }],
    ["next frame", "›", () => { stop(); show(current + 1); }],
    ["last frame", "»", () => { stop(); show(frames.length - 1); }]];
  for (const [label, glyph, action] of actions) {
    const b = label === "play" ? playButton : document.createElement("button");
    b.type = "button";
    b.textContent = glyph;
    if (label !== "play") b.setAttribute("aria-label", label);
    b.addEventListener("click", action);
    controls.appendChild(b);
  }
  slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
  controls.append(counter, slider);
  root.append(box, controls, caption);
  show(0);
  return root;
}

// result: {outputs: [{kind, text|svg|frames}], error: {type, message, traceback} | null, seconds}
export function renderResult(container, result) {
  for (const out of result.outputs) {
    if (out.kind === "svg") {
      const figure = document.createElement("div");
      figure.className = "live-figure";
      figure.appendChild(safeSvg(out.svg));
      container.appendChild(figure);
    } else if (out.kind === "player") {
      container.appendChild(player(out));
    } else if (out.kind === "truncated") {
      note(container, out.text, "live-warning");
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
