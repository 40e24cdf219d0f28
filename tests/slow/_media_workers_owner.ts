/**
 * A stand-in node for `media_workers_test.ts`: starts a media worker (the
 * first session starts one, even a refused one), prints its pid, and waits
 * to be killed.
 *
 * @module
 */
import { MediaWorkers } from "../../node/relay/native/mod.ts";

const workers = new MediaWorkers({ bindAddress: "127.0.0.1" });
await workers.publish(1n, "not sdp").catch(() => {});
console.log(JSON.stringify({ worker: workers.workers()[0].pid }));
await new Promise(() => {});
