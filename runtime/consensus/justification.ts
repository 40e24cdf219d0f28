/**
 * Checking a GRANDPA justification on its own: with the authority set that
 * voted, and nothing but the justification's own headers, decide whether
 * more than two thirds of the set precommitted to its target or to blocks
 * above it. A syncing node and a light client both rely on it.
 *
 * The rules are Substrate's (`GrandpaJustification::verify_with_voter_set`),
 * stricter where an honest producer never does otherwise:
 * - every precommit is signed by an authority of the set, for the
 *   justification's round and set;
 * - a voter with one precommit must vote for the target or a descendant,
 *   proven by `votesAncestries`; a voter with two different precommits (an
 *   equivocator) counts for every block, as the round counted it, whether or
 *   not its votes descend from the target; more than two, or the same vote
 *   twice, is invalid;
 * - every header in `votesAncestries` is on a path from a precommit to the
 *   target: none is unused or repeated.
 *
 * @module
 */
import { encodeHeader, type Header } from "../block/header.ts";
import type { SignatureVerifier } from "../crypto/signature_rule.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { type GrandpaJustification, localizedPayload, type SignedPrecommit } from "./grandpa.ts";

/** An authority set: its id and its session keys (one vote each). */
export interface AuthoritySet {
  setId: bigint;
  authorities: Uint8Array[];
}

/**
 * Where a light client starts: a finalized header and the set that votes
 * above it (the genesis, or a chain spec's `lightSyncState`).
 */
export interface Checkpoint {
  header: Header;
  set: AuthoritySet;
}

/** The hex of each set's keys, made once per set object (a light client checks many justifications of one set). */
const memberCache = new WeakMap<AuthoritySet, ReadonlySet<string>>();

function membersOf(set: AuthoritySet): ReadonlySet<string> {
  let members = memberCache.get(set);
  if (!members) memberCache.set(set, members = new Set(set.authorities.map(toHexRaw)));
  return members;
}

/** Why a justification is not valid. */
export class JustificationError extends Error {
  override name = "JustificationError";
}

/**
 * Votes needed for a supermajority of `voters` equal-weight voters: more
 * than two thirds (`n - ⌊(n - 1) / 3⌋`, as `finality-grandpa` computes it).
 *
 * @example
 * ```ts
 * import { supermajority } from "./justification.ts";
 * if (supermajority(4) !== 3 || supermajority(7) !== 5 || supermajority(1) !== 1) throw new Error();
 * ```
 */
export function supermajority(voters: number): number {
  return voters - Math.floor((voters - 1) / 3);
}

/**
 * Checks that `justification` proves, for authority set `set`, the finality
 * of its commit target (and, when given, that the target is `expected`).
 *
 * @throws {JustificationError} naming the first rule it breaks
 */
export function verifyJustification(
  justification: GrandpaJustification,
  set: AuthoritySet,
  verify: SignatureVerifier,
  expected?: { hash: Uint8Array; number: number },
): void {
  const { commit, round } = justification;
  const targetHex = toHexRaw(commit.targetHash);
  if (
    expected &&
    (toHexRaw(expected.hash) !== targetHex || expected.number !== commit.targetNumber)
  ) {
    throw new JustificationError("Invalid justification: it finalizes another block");
  }
  const members = membersOf(set);
  const byVoter = new Map<string, SignedPrecommit[]>();
  // PERF: most precommits vote for the same block, so they sign the same payload.
  const payloads = new Map<string, Uint8Array>();
  for (const signed of commit.precommits) {
    const voter = toHexRaw(signed.id);
    if (!members.has(voter)) {
      throw new JustificationError(`Invalid justification: 0x${voter} is not in set ${set.setId}`);
    }
    const vote = `${toHexRaw(signed.precommit.targetHash)}:${signed.precommit.targetNumber}`;
    let payload = payloads.get(vote);
    if (!payload) {
      payload = localizedPayload({ tag: "Precommit", value: signed.precommit }, round, set.setId);
      payloads.set(vote, payload);
    }
    if (!verify(signed.signature, payload, signed.id)) {
      throw new JustificationError(`Invalid justification: a bad signature by 0x${voter}`);
    }
    const votes = byVoter.get(voter) ?? [];
    votes.push(signed);
    byVoter.set(voter, votes);
  }

  const ancestry = new Map<string, Header>();
  for (const header of justification.votesAncestries) {
    const hash = toHexRaw(blake2_256(encodeHeader(header)));
    if (ancestry.has(hash)) {
      throw new JustificationError("Invalid justification: a repeated ancestry header");
    }
    ancestry.set(hash, header);
  }
  const visited = new Set<string>();
  const routeToTarget = (signed: SignedPrecommit): string[] | undefined => {
    const route: string[] = [];
    let hash = toHexRaw(signed.precommit.targetHash);
    let number = signed.precommit.targetNumber;
    while (hash !== targetHex) {
      const header = ancestry.get(hash);
      if (!header || header.number !== number || number <= commit.targetNumber) return undefined;
      route.push(hash);
      hash = toHexRaw(header.parentHash);
      number -= 1;
    }
    return number === commit.targetNumber ? route : undefined;
  };

  let weight = 0;
  for (const [voter, votes] of byVoter) {
    if (votes.length > 2) {
      throw new JustificationError(
        `Invalid justification: 0x${voter} precommits ${votes.length} times`,
      );
    }
    const routes = votes.map(routeToTarget);
    if (votes.length === 2) {
      const [a, b] = votes.map((v) => toHexRaw(v.precommit.targetHash) + v.precommit.targetNumber);
      if (a === b) {
        throw new JustificationError(
          `Invalid justification: the same precommit by 0x${voter} twice`,
        );
      }
    } else if (!routes[0]) {
      throw new JustificationError(
        `Invalid justification: 0x${voter}'s precommit does not descend from the target`,
      );
    }
    for (const route of routes) for (const hash of route ?? []) visited.add(hash);
    weight += 1;
  }
  if (visited.size !== ancestry.size) {
    throw new JustificationError("Invalid justification: unused ancestry headers");
  }
  const needed = supermajority(set.authorities.length);
  if (weight < needed) {
    throw new JustificationError(
      `Invalid justification: ${weight} of ${set.authorities.length} voters, ${needed} needed`,
    );
  }
}
