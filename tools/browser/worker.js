// The live pages' Web Worker: Pyodide, the book's wheels, Graphviz in WebAssembly.
// Messages in: {id, type: "init", base} | {id, type: "run", code, name, graphValues}
//              | {id, type: "call", module, func, args}   (a Python function, JSON in and out)
// Messages out: {id, result} | {id, error} | {type: "progress", text}
//               | {type: "text", kind, text}   (what the running cell prints, as it prints it)
// Everything is fetched from the site itself (base = the site's _static/live/ folder).

let pyodide = null;
let runtime = null;
let graphviz = null; // Graphviz in WebAssembly: loaded once Python is ready, off the start-up's path
let layout = null;

function progress(text) {
  self.postMessage({ type: "progress", text });
}

async function fetchOk(url, as) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} for ${url}`);
  return as === "text" ? response.text() : as === "json" ? response.json() : response.arrayBuffer();
}

async function init(base) {
  const config = await fetchOk(base + "runtime.json", "json");
  progress("Loading Python (Pyodide)…");
  const wheels = Promise.all(config.wheels.map((w) => fetchOk(base + w)));
  const sources = Promise.all(config.python.map((f) => fetchOk(base + f, "text")));
  const { loadPyodide } = await import(base + "pyodide/pyodide.mjs");
  pyodide = await loadPyodide({ indexURL: base + "pyodide/" });
  progress("Installing micrograd…");
  for (const buffer of await wheels) pyodide.unpackArchive(buffer, "wheel");
  pyodide.FS.mkdirTree("/live");
  (await sources).forEach((text, i) => pyodide.FS.writeFile("/live/" + config.python[i].split("/").pop(), text));
  pyodide.runPython("import sys; sys.path.insert(0, '/live')");
  runtime = pyodide.pyimport("cells");
  runtime.setup((dot, engine) => layout(dot, "svg", engine || "dot"), JSON.stringify(config.unavailable || {}),
    (kind, text) => self.postMessage({ type: "text", kind, text }));
  // Graphviz (0.8 MB, its wasm compiled on load) is not needed to be ready: it loads now, in the
  // background, and a run waits for it (drawing is synchronous in Python); usually it is long done.
  graphviz = import(base + "graphviz.js").then((m) => m.Graphviz.load()).then((gv) => {
    layout = (dot, format, engine) => gv.layout(dot, format, engine);
  });
  return { python: pyodide.runPython("import sys; sys.version.split()[0]") };
}

async function run({ code, name, graphValues }) {
  await graphviz;
  return JSON.parse(runtime.run(code, name || "cell", !!graphValues));
}

async function call({ module, func, args }) {
  await graphviz;
  const answer = JSON.parse(runtime.call(module, func, JSON.stringify(args || {})));
  if ("error" in answer) throw new Error(answer.error);
  return answer.result;
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    let result;
    if (message.type === "init") result = await init(message.base);
    else if (message.type === "run") result = await run(message);
    else if (message.type === "call") result = await call(message);
    else throw new Error(`unknown message ${message.type}`);
    self.postMessage({ id: message.id, result });
  } catch (error) {
    self.postMessage({ id: message.id, error: String(error && error.message ? error.message : error) });
  }
};
