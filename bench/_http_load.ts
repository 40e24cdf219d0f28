/**
 * An HTTP load on its own thread: `concurrency` keep-alive connections POST
 * the same JSON body to one URL until `requests` responses have been read,
 * so that the client does not compete with the server under test for its
 * event loop.
 *
 * @module
 */

/** What one load run sends. */
export interface LoadInit {
  url: string;
  body: string;
  concurrency: number;
  requests: number;
}

/** Requests per second `init` achieved, on a worker thread (each response is checked for `result`). */
export function loadTest(init: LoadInit): Promise<number> {
  const worker = new Worker(new URL("./_http_load_worker.ts", import.meta.url).href, {
    type: "module",
  });
  return new Promise<number>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ seconds?: number; error?: string }>) => {
      if (e.data.error) reject(new Error(`HTTP load failed: ${e.data.error}`));
      else resolve(init.requests / e.data.seconds!);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`HTTP load failed: ${e.message}`));
    };
    worker.postMessage(init);
  }).finally(() => worker.terminate());
}
