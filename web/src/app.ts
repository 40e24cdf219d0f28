/**
 * What every view shares: the chain, the heads, the wallet and its selected
 * account, amounts in the chain's unit, relay tokens, and navigation.
 *
 * @module
 */
import { issueToken, type TokenRole } from "../../client/relay/token.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { Chain } from "./chain.ts";
import type { Heads } from "./heads.ts";
import type { PageLight } from "./light.ts";
import { routeHash } from "./routes.ts";
import { formatAmount, parseAmount } from "../../client/units.ts";
import type { Wallet, WalletAccount } from "./wallet.ts";

/** An account's balances as `System.Account` holds them, in planck. */
export interface Balance {
  free: bigint;
  reserved: bigint;
  nonce: number;
}

interface AccountInfo {
  nonce: number;
  data: { free: number | string; reserved: number | string };
}

/** The page's shared state. */
export class App {
  readonly #accountListeners: ((account: WalletAccount | undefined) => void)[] = [];

  /**
   * The app over a connected chain, its heads, this browser's wallet, and
   * the light client starting in the page (it fails with why when the node
   * offers it nothing to start from).
   */
  constructor(
    readonly chain: Chain,
    readonly heads: Heads,
    readonly wallet: Wallet,
    readonly light: Promise<PageLight>,
  ) {}

  /** Calls `listener` now and whenever the selected account changes. */
  onAccount(listener: (account: WalletAccount | undefined) => void): void {
    this.#accountListeners.push(listener);
    listener(this.wallet.selected);
  }

  /** Tells every view that the wallet's selection changed. */
  accountChanged(): void {
    for (const listener of this.#accountListeners) listener(this.wallet.selected);
  }

  /**
   * The selected account, which signs.
   *
   * @throws {Error} asking to import an account when there is none
   */
  signer(): WalletAccount {
    const account = this.wallet.selected;
    if (!account) throw new Error("No account: import or generate one on the Account page first");
    return account;
  }

  /** The selected account's SS58 address, if any. */
  get address(): string | undefined {
    const account = this.wallet.selected;
    return account && this.chain.address(account.key.account);
  }

  /**
   * The selected account's balances (all zero for an account that never
   * received anything: it has no entry).
   *
   * @throws {Error} asking to import an account when there is none
   */
  async balance(): Promise<Balance> {
    const who = this.chain.address(this.signer().key.account);
    const info = await this.chain.query<AccountInfo | null>("System", "Account", [who]);
    return {
      free: BigInt(info?.data.free ?? 0),
      reserved: BigInt(info?.data.reserved ?? 0),
      nonce: info?.nonce ?? 0,
    };
  }

  /** `1.5 STREAM` for 1.5 × 10^decimals planck. */
  amount(planck: bigint | number | string): string {
    return `${formatAmount(BigInt(planck), this.chain.token.decimals)} ${this.chain.token.symbol}`;
  }

  /** The planck of an amount typed in the chain's unit. */
  parse(text: string): bigint {
    return parseAmount(text, this.chain.token.decimals);
  }

  /**
   * A relay bearer token for `stream`, signed in the page by the selected
   * account, for as long as its role allows (a watch token 10 minutes: it
   * only has to start the session), for the relay at `url` (this page's
   * node by default; another one when a full node sends the viewer on),
   * or `lifetimeSeconds` (an OBS token: a day at most).
   */
  relayToken(
    stream: number,
    role: TokenRole,
    url: string = location.origin,
    lifetimeSeconds?: number,
  ): string {
    const { key } = this.signer();
    return issueToken(key, {
      genesis: toHex(this.chain.genesisHash),
      stream,
      role,
      audience: url,
      lifetimeSeconds,
      account: this.chain.address(key.account),
    });
  }

  /**
   * Shows the view `name` (with an optional argument, e.g. a stream id):
   * `#/watch/7`. The views' old names still lead there (`live` is the studio).
   */
  navigate(name: string, argument?: string | number): void {
    location.hash = routeHash(name, argument);
  }
}
