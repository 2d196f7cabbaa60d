// The playground's live moons demo: the book's MLP trains in the worker (moons_demo.py) while
// the decision boundary is redrawn on a canvas. Play / Pause / Reset, learning rate and hidden
// layer sizes adjustable, loss and accuracy shown.

const STEPS_PER_FRAME = 2;
const MAX_STEPS = 300;

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function draw(canvas, s) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width;
  const H = canvas.height;
  const cell = W / s.size;
  for (let j = 0; j < s.size; j++) {
    for (let i = 0; i < s.size; i++) {
      const score = s.grid[j * s.size + i];
      const strength = Math.min(1, Math.abs(score)) * 0.45 + 0.1;
      ctx.fillStyle = score > 0 ? `rgba(214, 96, 77, ${strength})` : `rgba(67, 147, 195, ${strength})`;
      ctx.clearRect(i * cell, j * (H / s.size), cell + 1, H / s.size + 1);
      ctx.fillRect(i * cell, j * (H / s.size), cell + 1, H / s.size + 1);
    }
  }
  const [x0, x1, y0, y1] = s.bounds;
  s.points.forEach(([x, y], k) => {
    const px = ((x - x0) / (x1 - x0)) * W;
    const py = ((y1 - y) / (y1 - y0)) * H;
    ctx.beginPath();
    ctx.arc(px, py, 4, 0, 2 * Math.PI);
    ctx.fillStyle = s.labels[k] > 0 ? "#b2182b" : "#2166ac";
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  });
}

export function mount(root, kernel) {
  root.replaceChildren();
  const canvas = el("canvas", { width: 360, height: 360 });
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "The moons data and the model's decision boundary: " +
    "red points and region are class +1, blue are class -1");
  const play = el("button", { type: "button", textContent: "Play" });
  const reset = el("button", { type: "button", textContent: "Reset" });
  const lr = el("input", { type: "number", min: "0.01", max: "10", step: "0.1", value: "1.0", id: "live-moons-lr" });
  const hidden = el("select", { id: "live-moons-hidden" });
  for (const option of ["16, 16", "8, 8", "4", "8", "32", "32, 32", "16, 16, 16"]) {
    hidden.append(el("option", { value: option, textContent: option }));
  }
  const readout = el("output", { className: "live-moons-readout" });
  readout.setAttribute("aria-label", "training progress");
  const message = el("p", { className: "live-note" });
  message.setAttribute("aria-live", "polite");
  root.append(
    el("div", { className: "live-controls" }, [
      play, reset,
      el("label", { htmlFor: "live-moons-lr", textContent: "learning rate " }), lr,
      el("label", { htmlFor: "live-moons-hidden", textContent: "hidden layers " }), hidden,
    ]),
    canvas, readout, message,
  );

  let playing = false;
  let generation = -1;
  let last = null;

  function show(s) {
    last = s;
    draw(canvas, s);
    const acc = s.accuracy === null ? "–" : `${Math.round(s.accuracy * 100)}%`;
    const loss = s.loss === null ? "–" : s.loss.toFixed(4);
    readout.textContent = `step ${s.step}   loss ${loss}   accuracy ${acc}   ` +
      `lr ${s.lr.toFixed(3)}   ${s.parameters} parameters`;
    readout.dataset.accuracy = s.accuracy === null ? "" : String(s.accuracy);
  }

  function options() {
    return { hidden: hidden.value.split(",").map((h) => parseInt(h, 10)), lr: lrInUse };
  }

  async function doReset() {
    const s = await kernel.call("moons_demo", "reset", options());
    generation = kernel.generation;
    message.textContent = "";
    show(s);
  }

  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "Pause" : "Play";
  }

  async function loop() {
    while (playing) {
      try {
        if (generation !== kernel.generation) {
          if (last) message.textContent = "Python was restarted: the model starts again.";
          await doReset();
        }
        const s = await kernel.call("moons_demo", "step", { steps: STEPS_PER_FRAME });
        show(s);
        if (s.step >= MAX_STEPS) {
          setPlaying(false);
          message.textContent = `Stopped after ${MAX_STEPS} steps: press Reset to train again.`;
        }
      } catch (error) {
        setPlaying(false);
        message.textContent = error.stopped ? "Python was restarted: press Play to start again."
          : "The demo failed: " + error.message;
      }
    }
  }

  play.addEventListener("click", () => {
    setPlaying(!playing);
    if (playing) loop();
  });
  reset.addEventListener("click", async () => {
    setPlaying(false);
    try { await doReset(); } catch (error) { message.textContent = "Could not reset: " + error.message; }
  });
  // The learning rate the model trains with; a value out of range is refused, said and undone.
  let lrInUse = lr.value;
  lr.addEventListener("change", async () => {
    try {
      const s = await kernel.call("moons_demo", "set_lr", { lr: lr.value });
      lrInUse = lr.value;
      message.textContent = `Learning rate ${s.lr}.`;
    } catch (error) {
      message.textContent = `${error.message}: the model keeps ${lrInUse}.`;
      lr.value = lrInUse;
    }
  });
  hidden.addEventListener("change", () => {
    setPlaying(false);
    doReset().catch((error) => { message.textContent = "Could not reset: " + error.message; });
  });
  doReset().catch((error) => { message.textContent = "The demo could not start: " + error.message; });
}
