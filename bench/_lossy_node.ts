/**
 * BENCHMARKS ONLY: the node's CLI in a process that drops one in ten of the
 * GRANDPA messages it receives (votes, commits, neighbour packets), as a
 * lossy network would. The shipped CLI has no such switch; `node.finality`
 * starts its validators through this file instead.
 *
 * @module
 */
import { Network } from "../node/network/mod.ts";

const LOSS = 0.1;

const subscribe = Network.prototype.subscribe;
Network.prototype.subscribe = function (topic, handler) {
  if (topic !== "grandpa") return subscribe.call(this, topic, handler);
  return subscribe.call(
    this,
    topic,
    (data, from) => Math.random() < LOSS ? "ignore" : handler(data, from),
  );
};

const { main } = await import("../node/cli/main.ts");
Deno.exit(await main(Deno.args));
