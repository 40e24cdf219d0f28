import assert from "node:assert/strict";
import { buildSpec, specToJson } from "../chain-spec/build.ts";
import { parseNodeArgs } from "./cli/args.ts";
import { createLogger } from "./log.ts";
import { startNode, webSocketPort } from "./service.ts";

Deno.test("--unsafe-equivocate is refused on a Live chain, guard flag or not, before anything starts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-live-" });
  try {
    const specPath = `${dir}/live.json`;
    await Deno.writeTextFile(specPath, specToJson({ ...buildSpec("dev"), chainType: "Live" }));
    const command = parseNodeArgs([
      "--chain",
      specPath,
      "--alice",
      "--base-path",
      `${dir}/base`,
      "--unsafe-equivocate",
      "--i-know-this-slashes-me",
    ]);
    if (command.kind !== "run") throw new Error(command.kind);
    await assert.rejects(
      startNode(command.options, createLogger("error")),
      /--unsafe-equivocate is refused on .*, a Live chain/,
    );
    await assert.rejects(Deno.stat(`${dir}/base`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the default WebSocket port stays 10000 above the p2p port across restarts, a free one when it cannot", () => {
  assert.equal(webSocketPort(30333), 40333);
  assert.equal(webSocketPort(0), 0, "a free p2p port: a free WebSocket port");
  assert.equal(webSocketPort(60000), 0, "past 65535: a free one");
});
