/**
 * Substrate's `grandpa_roundState`: the finality voter's current round and
 * the rounds still counting behind it, with the weight of prevotes and
 * precommits so far and the voters (SS58) not heard from.
 *
 * @module
 */
import { ss58Encode } from "../../runtime/crypto/mod.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import type { RoundReport, VoterReport } from "../consensus/finality/mod.ts";
import type { RpcServer } from "../rpc/mod.ts";

/** What the GRANDPA methods read. */
export interface GrandpaApiContext {
  /** The voter's rounds. */
  report: () => VoterReport;
  /** The SS58 prefix of the chain's addresses. */
  ss58Format: number;
}

/** Registers `grandpa_roundState`. */
export function registerGrandpaApi(server: RpcServer, ctx: GrandpaApiContext): void {
  server.register("grandpa_roundState", () => {
    const report = ctx.report();
    const stage = (voted: string[]) => {
      const heard = new Set(voted);
      return {
        currentWeight: voted.length,
        missing: report.voters.filter((id) => !heard.has(id)).map((id) =>
          ss58Encode(fromHex(id), ctx.ss58Format)
        ),
      };
    };
    const round = (r: RoundReport) => ({
      round: r.round,
      totalWeight: report.voters.length,
      thresholdWeight: report.threshold,
      prevotes: stage(r.prevoted),
      precommits: stage(r.precommitted),
    });
    return {
      setId: report.setId,
      best: round(report.best),
      background: report.background.map(round),
    };
  });
}
