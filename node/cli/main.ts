/**
 * Entry point of `deno task node`: runs a node, or one of its subcommands.
 * See `args.ts` for the command line.
 *
 * @module
 */
import { specToJson } from "../../chain-spec/build.ts";
import { runClientCommand } from "../client/run.ts";
import { runKeyTool } from "../key/cli.ts";
import { createLogger } from "../log.ts";
import { parseNodeArgs } from "./args.ts";
import { buildSpecCommand } from "./build_spec.ts";

/** Runs the command `args` describe; resolves with the process's exit code. */
export async function main(args: string[]): Promise<number> {
  const command = parseNodeArgs(args);
  switch (command.kind) {
    case "help":
      console.log(command.text);
      return 0;
    case "key": {
      const result = runKeyTool(command.args, {
        randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      });
      if (result.stdout) await Deno.stdout.write(new TextEncoder().encode(result.stdout));
      if (result.stderr) await Deno.stderr.write(new TextEncoder().encode(result.stderr));
      return result.code;
    }
    case "build-spec":
      console.log(specToJson(await buildSpecCommand(command)));
      return 0;
    case "purge-chain":
      await Deno.remove(`${command.basePath}/chains`, { recursive: true }).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
      console.error(`Removed the chain data in ${command.basePath}/chains`);
      return 0;
    case "client": {
      const result = await runClientCommand(command.command);
      for (const line of result.lines) console.log(line);
      return result.code;
    }
    case "run": {
      const log = createLogger(command.options.log);
      // Loaded only to run a node: client commands need no database or network.
      const node = command.options.light
        ? await (await import("../light/node.ts")).startLightNode(command.options, log)
        : await (await import("../service.ts")).startNode(command.options, log);
      const { promise: stopped, resolve } = Promise.withResolvers<void>();
      for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, resolve);
      await stopped;
      log.info("Shutting down");
      await node.close();
      return 0;
    }
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`Error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
