/**
 * Finality: GRANDPA's voter (pure, in `voter.ts`, with its rounds and vote
 * graph), its network messages, and the service that runs it in the node.
 *
 * @module
 */
export {
  CATCH_UP_PROTOCOL,
  type FinalityInit,
  FinalityService,
  GRANDPA_TOPIC,
  type JustificationOutcome,
} from "./service.ts";
export { JustificationError } from "../../../runtime/consensus/justification.ts";
export type { RoundReport, VoterReport } from "./voter.ts";
