/**
 * The fault harness: N nodes of one chain as processes on 127.0.0.1, every
 * link between two of them through a {@link LinkProxy} the test controls
 * (node A reaches B only through the proxy A→B: `--reserved-only` with the
 * proxies as `--reserved-nodes`), and each node can be SIGKILLed, frozen
 * with SIGSTOP, resumed with SIGCONT and restarted on its database.
 *
 * @module
 */
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { Random } from "../../node/consensus/finality/sim/random.ts";
import { loadOrCreateNodeKey } from "../../node/network/mod.ts";
import { NodeProcess } from "../_node.ts";
import { type LinkFault, LinkProxy, PASS } from "./_proxy.ts";

/** One node of the cluster: who it is, where it lives and whether it runs. */
export interface Member {
  readonly name: string;
  /** Votes and authors with the dev key of its name. */
  readonly validator: boolean;
  readonly basePath: string;
  /** Its own p2p port; peers never dial it but through a proxy. */
  readonly port: number;
  /** Its JSON-RPC port, kept across restarts. */
  readonly rpcPort: number;
  readonly peerId: string;
  process?: NodeProcess;
  frozen: boolean;
}

/** What to run. */
export interface ClusterInit {
  /** Path of the chain spec. */
  chain: string;
  /** Validators by dev name (`alice`, ...), each with its dev key. */
  validators: readonly string[];
  /** Full nodes after the validators, named `follower-1`, ... */
  followers?: number;
  /** More multiaddrs every node reserves, dialled directly (a rogue peer's). */
  extraReserved?: string[];
  /** Seeds the proxies' stalls. */
  seed: number;
}

const STOP_GRACE_MS = 10_000;

/** N nodes joined pairwise by proxies. */
export class Cluster {
  readonly members: Member[];
  readonly #init: ClusterInit;
  /** `#links[from][to]`: the proxy `from` dials `to` through. */
  readonly #links: (LinkProxy | undefined)[][];
  readonly #dir: string;

  private constructor(
    init: ClusterInit,
    dir: string,
    members: Member[],
    links: (LinkProxy | undefined)[][],
  ) {
    this.#init = init;
    this.#dir = dir;
    this.members = members;
    this.#links = links;
  }

  /**
   * Prepares every member's base path and node key (so that peer ids are
   * known before any node runs) and the proxies; starts no node.
   */
  static async create(init: ClusterInit): Promise<Cluster> {
    const spec = JSON.parse(await Deno.readTextFile(init.chain)) as { id: string };
    const dir = await Deno.makeTempDir({ prefix: "sutantra-faults-" });
    const names = [
      ...init.validators,
      ...Array.from({ length: init.followers ?? 0 }, (_, i) => `follower-${i + 1}`),
    ];
    // Every port stays held until all are chosen and the proxies listen, so none is chosen twice.
    const held = names.flatMap(() => [holdPort(), holdPort()]);
    const portOf = (listener: Deno.TcpListener) => (listener.addr as Deno.NetAddr).port;
    const members = await Promise.all(names.map(async (name, i) => {
      const basePath = `${dir}/${name}`;
      const keyDir = `${basePath}/chains/${spec.id}/network`;
      await Deno.mkdir(keyDir, { recursive: true });
      const key = await loadOrCreateNodeKey(`${keyDir}/secret_ed25519`);
      return {
        name,
        validator: i < init.validators.length,
        basePath,
        port: portOf(held[2 * i]),
        rpcPort: portOf(held[2 * i + 1]),
        peerId: peerIdFromPrivateKey(key).toString(),
        frozen: false,
      };
    }));
    const random = new Random(init.seed);
    const links = members.map((_, from) =>
      members.map((to, i) => i === from ? undefined : new LinkProxy(to.port, random))
    );
    for (const listener of held) listener.close();
    return new Cluster(init, dir, members, links);
  }

  /** The member called `name`. @throws {RangeError} when there is none */
  index(name: string): number {
    const i = this.members.findIndex((m) => m.name === name);
    if (i < 0) throw new RangeError(`No member named ${name}`);
    return i;
  }

  /** Node `i`'s process. @throws {Error} when it is not running */
  node(i: number): NodeProcess {
    const process = this.members[i].process;
    if (!process) throw new Error(`${this.members[i].name} is not running`);
    return process;
  }

  /** Members that run and are not frozen: the ones that answer. */
  get live(): Member[] {
    return this.members.filter((m) => m.process && !m.frozen);
  }

  /** Starts node `i` (again, on its database) and waits for its RPC. */
  async start(i: number): Promise<NodeProcess> {
    const member = this.members[i];
    if (member.process) throw new Error(`${member.name} is already running`);
    const reserved = this.members.flatMap((peer, j) =>
      j === i ? [] : [`/ip4/127.0.0.1/tcp/${this.link(i, j).port}/p2p/${peer.peerId}`]
    ).concat(this.#init.extraReserved ?? []);
    const process = new NodeProcess([
      "--chain",
      this.#init.chain,
      ...(member.validator ? [`--${member.name}`] : []),
      "--base-path",
      member.basePath,
      "--listen-addr",
      `/ip4/127.0.0.1/tcp/${member.port}`,
      "--reserved-only",
      ...reserved.flatMap((address) => ["--reserved-nodes", address]),
      "--name",
      member.name,
    ], member.rpcPort);
    member.process = process;
    await process.ready();
    return process;
  }

  /** Starts every member that is not running, all at once. */
  async startAll(): Promise<void> {
    await Promise.all(this.members.map((m, i) => m.process ? undefined : this.start(i)));
  }

  /** SIGKILLs node `i`: no shutdown at all. */
  async kill(i: number): Promise<void> {
    const member = this.members[i];
    await member.process?.stop("SIGKILL");
    member.process = undefined;
    member.frozen = false;
  }

  /** Freezes node `i` with SIGSTOP: its sockets stay open, it answers nothing. */
  freeze(i: number): void {
    Deno.kill(this.node(i).pid, "SIGSTOP");
    this.members[i].frozen = true;
  }

  /** Resumes a frozen node `i` with SIGCONT. */
  thaw(i: number): void {
    Deno.kill(this.node(i).pid, "SIGCONT");
    this.members[i].frozen = false;
  }

  /** The proxy node `from` dials node `to` through. */
  link(from: number, to: number): LinkProxy {
    const proxy = this.#links[from][to];
    if (!proxy) throw new RangeError(`No link from ${from} to itself`);
    return proxy;
  }

  /** Applies `fault` to every link between a node of `a` and a node of `b`, both ways. */
  setLinks(fault: LinkFault, a: number[], b: number[]): void {
    for (const i of a) {
      for (const j of b) {
        this.link(i, j).set(fault);
        this.link(j, i).set(fault);
      }
    }
  }

  /** Applies `fault` to every link. */
  setAllLinks(fault: LinkFault): void {
    for (const proxy of this.#links.flat()) proxy?.set(fault);
  }

  /** Every link passes bytes through unchanged again. */
  heal(): void {
    this.setAllLinks(PASS);
  }

  /** The last lines each running node printed and its GRANDPA rounds (for a failure's report). */
  async tails(lines = 25): Promise<string> {
    const parts = await Promise.all(this.members.map(async (m) => {
      if (!m.process) return `${m.name}: down`;
      const rounds = m.frozen
        ? "frozen"
        : await m.process.rpc("grandpa_roundState").then(JSON.stringify, (e) => `${e}`);
      return `${m.name}:\n${m.process.output.split("\n").slice(-lines).join("\n")}\n${rounds}`;
    }));
    return parts.join("\n---\n");
  }

  /** Stops every node (thawing frozen ones first), closes every proxy, removes the databases. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map(async (member) => {
      const process = member.process;
      if (!process) return;
      if (member.frozen) Deno.kill(process.pid, "SIGCONT");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((r) => timer = setTimeout(r, STOP_GRACE_MS));
      await Promise.race([process.stop(), grace]);
      clearTimeout(timer);
      await process.stop("SIGKILL");
      member.process = undefined;
    }));
    await Promise.all(this.#links.flat().map((proxy) => proxy?.close()));
    await Deno.remove(this.#dir, { recursive: true });
  }
}

/** A listener on a free port of 127.0.0.1, which keeps the port taken until it is closed. */
function holdPort(): Deno.TcpListener {
  return Deno.listen({ hostname: "127.0.0.1", port: 0 });
}
