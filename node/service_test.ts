import assert from "node:assert/strict";
import { buildSpec, specToJson } from "../chain-spec/build.ts";
import { parseNodeArgs } from "./cli/args.ts";
import { createLogger } from "./log.ts";
import { startNode } from "./service.ts";

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
