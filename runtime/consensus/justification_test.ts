/**
 * Justifications checked on their own: a real Substrate justification
 * verifies under our payload, and forged, short, unproven or padded ones are
 * refused with the rule they break.
 */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { blockHash, type Header } from "../block/header.ts";
import { keypairFromUri, verifyNative } from "../crypto/mod.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import {
  decodeJustification,
  encodeJustification,
  type GrandpaJustification,
  localizedPayload,
  type SignedPrecommit,
} from "./grandpa.ts";
import { JustificationError, verifyJustification } from "./justification.ts";

const vector = JSON.parse(
  Deno.readTextFileSync(new URL("./testdata/substrate_justification.json", import.meta.url)),
);

Deno.test("a Substrate justification decodes, re-encodes byte for byte and verifies", () => {
  const bytes = fromHex(vector.justification);
  const j = decodeJustification(bytes);
  assertEquals(toHex(encodeJustification(j)), vector.justification);
  assertEquals(j.round, BigInt(vector.round));
  assertEquals(j.commit.targetNumber, vector.targetNumber);
  const authorities = j.commit.precommits.map((p) => p.id);
  const set = { setId: BigInt(vector.setId), authorities };
  verifyJustification(j, set, verifyNative, {
    hash: j.commit.targetHash,
    number: j.commit.targetNumber,
  });
  // The same votes do not verify for another set id or round: both are signed.
  throws(() => verifyJustification(j, { ...set, setId: 1n }, verifyNative), JustificationError);
  throws(
    () => verifyJustification({ ...j, round: j.round + 1n }, set, verifyNative),
    JustificationError,
  );
});

const voters = ["//Alice", "//Bob", "//Charlie", "//Dave"].map(keypairFromUri);
const set = { setId: 3n, authorities: voters.map((v) => v.publicKey) };
const ROUND = 9n;

/** A chain of headers above `parent`, `length` long, on fork `fork`. */
function chain(parent: Header, length: number, fork = 0): Header[] {
  const out: Header[] = [];
  let at = parent;
  for (let i = 0; i < length; i++) {
    at = {
      parentHash: blockHash(at),
      number: at.number + 1,
      stateRoot: new Uint8Array(32).fill(fork),
      extrinsicsRoot: new Uint8Array(32),
      digest: [],
    };
    out.push(at);
  }
  return out;
}

const genesis: Header = {
  parentHash: new Uint8Array(32),
  number: 0,
  stateRoot: new Uint8Array(32),
  extrinsicsRoot: new Uint8Array(32),
  digest: [],
};
const main = chain(genesis, 6);
const fork = chain(main[1], 3, 7);

function precommit(by: number, header: Header, round = ROUND): SignedPrecommit {
  const precommit = { targetHash: blockHash(header), targetNumber: header.number };
  const payload = localizedPayload({ tag: "Precommit", value: precommit }, round, set.setId);
  return { precommit, signature: voters[by].sign(payload), id: voters[by].publicKey };
}

function justify(
  target: Header,
  precommits: SignedPrecommit[],
  ancestries: Header[] = [],
): GrandpaJustification {
  return {
    round: ROUND,
    commit: { targetHash: blockHash(target), targetNumber: target.number, precommits },
    votesAncestries: ancestries,
  };
}

function refused(j: GrandpaJustification, reason: RegExp): void {
  throws(() => verifyJustification(j, set, verifyNative), (e: Error) => {
    assertEquals(e instanceof JustificationError, true);
    return reason.test(e.message);
  });
}

Deno.test("three of four precommits on the target or above it, with their ancestry, verify", () => {
  const target = main[2];
  const j = justify(target, [precommit(0, main[2]), precommit(1, main[4]), precommit(2, main[3])], [
    main[3],
    main[4],
  ]);
  verifyJustification(decodeJustification(encodeJustification(j)), set, verifyNative);
});

Deno.test("a justification without a supermajority, or for another block, is refused", () => {
  refused(justify(main[2], [precommit(0, main[2]), precommit(1, main[2])]), /2 of 4 voters, 3/);
  const j = justify(main[2], [0, 1, 2].map((v) => precommit(v, main[2])));
  throws(
    () => verifyJustification(j, set, verifyNative, { hash: blockHash(main[3]), number: 3 }),
    /another block/,
  );
});

Deno.test("a forged signature, an outsider's vote or another round's vote is refused", () => {
  const good = [0, 1, 2].map((v) => precommit(v, main[2]));
  const forged = { ...good[1], signature: good[0].signature };
  refused(justify(main[2], [good[0], forged, good[2]]), /bad signature/);
  const mallory = keypairFromUri("//Mallory");
  refused(
    justify(main[2], [...good.slice(0, 2), { ...good[2], id: mallory.publicKey }]),
    /not in set 3/,
  );
  refused(justify(main[2], [...good.slice(0, 2), precommit(2, main[2], ROUND + 1n)]), /signature/);
});

Deno.test("a precommit off the target's chain, or without its ancestry, is refused", () => {
  const onTarget = [0, 1].map((v) => precommit(v, main[3]));
  refused(justify(main[3], [...onTarget, precommit(2, fork[2])], fork), /does not descend/);
  refused(
    justify(main[2], [...[0, 1].map((v) => precommit(v, main[2])), precommit(2, main[4])], [
      main[4],
    ]),
    /does not descend/,
  );
});

Deno.test("headers that prove nothing, or repeat, are refused", () => {
  const votes = [0, 1, 2].map((v) => precommit(v, main[2]));
  refused(justify(main[2], votes, [main[3]]), /unused ancestry/);
  const up = [precommit(0, main[3]), ...votes.slice(1)];
  refused(justify(main[2], up, [main[3], main[3]]), /repeated/);
});

Deno.test("an equivocator counts for the target once; a third vote or a repeat is refused", () => {
  const honest = [0, 1].map((v) => precommit(v, main[2]));
  // Dave voted for a fork block and for the target: he counts, as the round counted him.
  verifyJustification(
    justify(main[2], [...honest, precommit(3, fork[0]), precommit(3, main[2])]),
    set,
    verifyNative,
  );
  refused(
    justify(main[2], [
      ...honest,
      precommit(3, fork[0]),
      precommit(3, fork[1]),
      precommit(3, main[2]),
    ]),
    /3 times/,
  );
  refused(justify(main[2], [...honest, precommit(3, main[2]), precommit(3, main[2])]), /twice/);
});
