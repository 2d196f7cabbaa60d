// The page's side of the worker: start it, send it requests, restart it (Stop).
// One request at a time is enough: the worker runs Python on one thread anyway.

export class Kernel {
  // onProgress(text): start-up steps; onReady(info) / onFail(error): after every start, the first
  // and each one after a Stop.
  constructor(base, { onProgress, onReady, onFail } = {}) {
    this.base = base;
    this.onProgress = onProgress || (() => {});
    this.onReady = onReady || (() => {});
    this.onFail = onFail || (() => {});
    this.onText = () => {}; // (kind, text): what the running cell prints, while it runs
    this.generation = 0; // increases at every restart: the page's Python state is new
    this.worker = null;
    this.ready = null;
    this.pending = new Map();
    this.seq = 0;
  }

  start() {
    if (this.ready) return this.ready;
    this.worker = new Worker(this.base + "worker.js", { type: "module" });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => this.failAll(event.message || "the Python worker failed to start");
    const ready = this.request({ type: "init", base: this.base });
    this.ready = ready;
    ready.then((info) => { if (this.ready === ready) this.onReady(info); },
      (error) => { if (this.ready === ready && !error.stopped) this.onFail(error); });
    return ready;
  }

  request(message) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  receive(data) {
    if (data.type === "progress") return this.onProgress(data.text);
    if (data.type === "text") return this.onText(data.kind, data.text);
    const waiting = this.pending.get(data.id);
    if (!waiting) return;
    this.pending.delete(data.id);
    if ("error" in data) waiting.reject(new Error(data.error));
    else waiting.resolve(data.result);
  }

  failAll(reason) {
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
  }

  async run(code, name, options = {}) {
    await this.start();
    return this.request({ type: "run", code, name, graphValues: !!options.graphValues });
  }

  async call(module, func, args) {
    await this.start();
    return this.request({ type: "call", module, func, args });
  }

  // Stop: end the worker at once (Python cannot be interrupted otherwise without special
  // headers), fail what was waiting, and start a fresh one in the background.
  restart() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.ready = null;
    this.generation += 1;
    const stopped = new Error("stopped");
    stopped.stopped = true;
    for (const { reject } of this.pending.values()) reject(stopped);
    this.pending.clear();
    this.start().catch(() => {});
  }
}
