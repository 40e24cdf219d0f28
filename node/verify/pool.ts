/**
 * Signature verification on worker threads, so that a block's signatures
 * are checked while the main thread applies the block.
 *
 * Every worker verifies any `MultiSignature` with the node's verifier
 * (`verifyMulti`: ed25519 natively, sr25519, ecdsa) under the same rules as
 * the main thread; the pool only moves the work.
 *
 * @module
 */
import type { SignatureCheck } from "../../runtime/executive/executive.ts";
import { packChecks, type VerifyRequest, type VerifyResponse } from "./_batch.ts";

/** Worker threads that verify batches of signatures. */
export class SignatureVerifierPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, {
    worker: Worker;
    resolve: (verdicts: boolean[]) => void;
    reject: (error: Error) => void;
  }>();
  #nextId = 0;
  #nextWorker = 0;
  #closed = false;

  /** Starts `size` workers: by default one per core but the one the caller runs on. */
  constructor(size = Math.max(1, navigator.hardwareConcurrency - 1)) {
    this.#workers = Array.from({ length: size }, () => this.#spawn());
  }

  /** How many workers verify. */
  get size(): number {
    return this.#workers.length;
  }

  /** Whether each check's signature is valid, in order. Batches go to the workers in turn. */
  verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    if (this.#closed) return Promise.reject(new Error("the verifier pool is closed"));
    if (checks.length === 0) return Promise.resolve([]);
    const worker = this.#workers[this.#nextWorker++ % this.#workers.length];
    const id = this.#nextId++;
    const packed = packChecks(checks);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      const request: VerifyRequest = { id, packed };
      worker.postMessage(request, [packed.buffer]);
    });
  }

  /** Stops the workers; pending batches are rejected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const worker of this.#workers) worker.terminate();
    for (const { reject } of this.#pending.values()) reject(new Error("the verifier pool closed"));
    this.#pending.clear();
  }

  #spawn(): Worker {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    worker.onmessage = (event: MessageEvent<VerifyResponse>) => {
      const { id, verdicts } = event.data;
      const pending = this.#pending.get(id);
      if (!pending) return;
      this.#pending.delete(id);
      pending.resolve(Array.from(verdicts, (v) => v === 1));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      worker.terminate();
      this.#failAll(worker, new Error(`a signature verifier worker failed: ${event.message}`));
      // A replacement takes the dead worker's turn, so later batches still get answers.
      const at = this.#workers.indexOf(worker);
      if (at >= 0 && !this.#closed) this.#workers[at] = this.#spawn();
    };
    return worker;
  }

  #failAll(worker: Worker, error: Error): void {
    for (const [id, pending] of this.#pending) {
      if (pending.worker !== worker) continue;
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}
