/**
 * Asking full nodes that are not trusted: each is asked in turn until one
 * answers with something that holds. A node whose answer is a lie (a
 * {@link ProofError}, or bytes that do not decode) is banned, for good; one
 * that does not answer, or cannot help yet ({@link Unhelpful}), is only
 * passed over.
 *
 * @module
 */
import { DecodeError } from "../../runtime/codec/types.ts";

/** How a light client reaches full nodes. */
export interface LightTransport {
  /** The peers that may be asked now, in the order to ask them. */
  peers(): string[];
  /**
   * Sends a light request's bytes to `peer`; resolves with its answer.
   *
   * @throws {Error} when the peer does not answer (or answers with an error)
   */
  request(peer: string, request: Uint8Array): Promise<Uint8Array>;
  /** `peer` served a proof that does not hold: it is not to be asked (or kept) again. */
  ban(peer: string, reason: string): void;
}

/** An answer that does not prove what it claims: whoever served it is to be banned. */
export class ProofError extends Error {
  override name = "ProofError";
}

/** A peer's answer could not be used, through no lie of its own (yet): the next peer is asked. */
export class Unhelpful extends Error {
  override name = "Unhelpful";
}

/** No peer gave an answer that holds. */
export class NoHonestAnswer extends Error {
  override name = "NoHonestAnswer";
}

/** The peers of a transport, asked in turn, with the ones banned and why. */
export class Peers {
  /** The peers banned so far, with why. */
  readonly bans = new Map<string, string>();
  readonly #transport: LightTransport;

  constructor(transport: LightTransport) {
    this.#transport = transport;
  }

  /** The peers that may be asked now, banned ones left out. */
  askable(): string[] {
    return this.#transport.peers().filter((peer) => !this.bans.has(peer));
  }

  /** Sends `request` to `peer` as it is (no check of the answer). */
  request(peer: string, request: Uint8Array): Promise<Uint8Array> {
    return this.#transport.request(peer, request);
  }

  /** `peer` lied: it is not asked again, and the transport drops it. */
  ban(peer: string, reason: string): void {
    this.bans.set(peer, reason);
    this.#transport.ban(peer, reason);
  }

  /**
   * Asks the peers (or `only` that one) in turn until one's answer holds
   * (`use` returns); bans a peer whose answer does not decode or prove
   * what it claims.
   *
   * @throws {NoHonestAnswer} saying what each peer did, when none answered with one that holds
   */
  async ask(
    what: string,
    request: Uint8Array,
    use: (answer: Uint8Array, peer: string) => Promise<void>,
    only?: string,
  ): Promise<void> {
    const failures: string[] = [];
    for (const peer of only ? [only] : this.askable()) {
      if (this.bans.has(peer)) continue;
      let answer: Uint8Array;
      try {
        answer = await this.#transport.request(peer, request);
      } catch (e) {
        failures.push(`${peer}: ${(e as Error).message}`);
        continue;
      }
      try {
        await use(answer, peer);
        return;
      } catch (e) {
        if (e instanceof Unhelpful) {
          failures.push(`${peer}: ${e.message}`);
          continue;
        }
        if (!(e instanceof ProofError || e instanceof DecodeError)) throw e;
        const reason = `a ${what} that does not hold: ${e.message}`;
        this.ban(peer, reason);
        failures.push(`${peer}: ${reason}`);
      }
    }
    throw new NoHonestAnswer(
      `No peer answered the ${what} with one that holds${
        failures.length ? `: ${failures.join("; ")}` : " (no peers)"
      }`,
    );
  }
}
