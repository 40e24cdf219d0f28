import assert from "node:assert/strict";
import type { TreeBlock } from "./chain/mod.ts";
import { Informant, type InformantInit } from "./informant.ts";

function block(number: number): TreeBlock {
  const hash = new Uint8Array(32).fill(number);
  return { hash, hashHex: "", header: { number } as TreeBlock["header"] };
}

/** An informant over fakes the test moves, printing to `lines` every 10 ms. */
function informant(overrides: Partial<InformantInit> = {}) {
  const lines: string[] = [];
  const world = {
    best: 10,
    finalized: 9,
    peers: 3,
    syncing: false,
    authoring: false,
    chainTraffic: { inBytes: 0, outBytes: 0 },
    mediaTraffic: { inBytes: 0, outBytes: 0 },
    onDisconnect: (_peer: string) => {},
  };
  const it = new Informant({
    log: {
      error: (m) => lines.push(`ERROR ${m}`),
      warn: (m) => lines.push(`WARN ${m}`),
      info: (m) => lines.push(`INFO ${m}`),
      debug: () => {},
    },
    client: {
      get best() {
        return block(world.best);
      },
      get finalized() {
        return block(world.finalized);
      },
    },
    network: {
      get peerCount() {
        return world.peers;
      },
      bandwidth: () => world.chainTraffic,
      onPeer: (_event, handler) => {
        world.onDisconnect = handler;
        return () => {};
      },
    },
    sync: {
      get isSyncing() {
        return world.syncing;
      },
      target: 20,
    },
    pool: { status: () => ({ ready: 0, future: 0 }) },
    relay: { streams: () => [], mediaTraffic: () => world.mediaTraffic },
    isAuthoring: () => world.authoring,
    shouldHavePeers: true,
    intervalMs: 10,
    ...overrides,
  });
  return { it, lines, world, warnings: () => lines.filter((l) => l.startsWith("WARN")) };
}

const ticks = (n: number) => new Promise((r) => setTimeout(r, n * 10 + 5));

/** Waits (2 s at most) until `holds`: ticks may run late on a busy machine. */
async function until(what: string, holds: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await ticks(1);
  }
}

Deno.test("the informant warns once when the last peer leaves, and again after peers came back", async () => {
  const { it, world, warnings } = informant();
  it.start();
  try {
    await ticks(2);
    world.peers = 0;
    world.onDisconnect("last");
    assert.equal(warnings().length, 1, "at once, not at the next line");
    assert.match(warnings()[0], /No peers: this node lost its last peer/);
    await ticks(3);
    assert.equal(warnings().length, 1, "once per loss");
    world.peers = 1;
    await ticks(2);
    world.peers = 0;
    await until("a second warning", () => warnings().length === 2);
  } finally {
    it.stop();
  }
});

Deno.test("a development node alone is not warned; a node that never found a peer is", async () => {
  const dev = informant({ shouldHavePeers: false });
  dev.world.peers = 0;
  const lonely = informant({ alonePatienceMs: 30 });
  lonely.world.peers = 0;
  dev.it.start();
  lonely.it.start();
  try {
    await until("the lonely node's warning", () => lonely.warnings().length === 1);
    await ticks(3);
    assert.deepEqual(dev.warnings(), []);
    assert.equal(lonely.warnings().length, 1);
    assert.match(lonely.warnings()[0], /found no peer/);
  } finally {
    dev.it.stop();
    lonely.it.stop();
  }
});

Deno.test("finality more than 5 blocks behind the best block is warned once, and its recovery told", async () => {
  const { it, world, lines, warnings } = informant();
  it.start();
  try {
    world.best = 15;
    world.finalized = 10;
    await ticks(2);
    assert.deepEqual(warnings(), [], "5 behind is within the bound");
    world.best = 16;
    await until("the lag warning", () => warnings().length === 1);
    await ticks(2);
    assert.equal(warnings().length, 1, "once per lag");
    assert.match(warnings()[0], /finalized #10 is 6 blocks behind best #16.*more than two thirds/);
    world.finalized = 15;
    await until("the recovery", () => lines.some((l) => l.includes("Finality caught up")));
  } finally {
    it.stop();
  }
});

Deno.test("a syncing node's finality lag is not a warning", async () => {
  const { it, world, warnings } = informant();
  world.syncing = true;
  world.best = 100;
  it.start();
  try {
    await ticks(3);
    assert.deepEqual(warnings(), []);
  } finally {
    it.stop();
  }
});

Deno.test("the line says Syncing, Authoring or Idle as it is, and its bandwidth counts relayed media", async () => {
  const { it, world, lines } = informant();
  it.start();
  const shown = (pattern: RegExp) => () => lines.some((l) => pattern.test(l));
  try {
    await until("an idle line", shown(/^INFO 💤 Idle \(3 peers\), best: #10/));
    world.authoring = true;
    await until("an authoring line", shown(/^INFO 🔨 Authoring/));
    world.syncing = true;
    await until("a syncing line", shown(/^INFO ⚙️ {2}Syncing .* target=#20/));
    world.syncing = false;
    // 1 MiB in and 4 MiB out of relayed media within one 10 ms interval.
    world.mediaTraffic = { inBytes: 1024 * 1024, outBytes: 4 * 1024 * 1024 };
    await until("the media's rate", shown(/⬇ 102400\.0kiB\/s ⬆ 409600\.0kiB\/s$/));
  } finally {
    it.stop();
  }
});

Deno.test("a missed slot is a warning", () => {
  const { it, warnings } = informant();
  it.slotMissed(42n, "the node was too busy to start it");
  assert.deepEqual(warnings(), [
    "WARN ⚠️  Missed this validator's slot 42: the node was too busy to start it",
  ]);
});
