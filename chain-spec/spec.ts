/**
 * Chain specs: the JSON that names a chain and holds its genesis.
 *
 * The layout follows Substrate's: `name`, `id`, `chainType`, `bootNodes`,
 * `properties` (`ss58Format`, `tokenSymbol`, `tokenDecimals`) and `genesis`,
 * plus Sutantra's optional `relay` (the payment grace and ICE servers every
 * node's relay uses) and Substrate's optional `lightSyncState` (a finalized
 * checkpoint a light client may start from: `light_sync_state.ts`),
 * either `{ runtime: { <pallet>: config } }` or, after `build-spec --raw`,
 * `{ raw: { top: { "0x<key>": "0x<value>" } } }`. Validation names the bad
 * field: `properties.tokenDecimals: expected an integer`.
 *
 * The properties belong to the runtime (`PROPERTIES` in `runtime/mod.ts`):
 * the metadata hash that RFC 78 signers sign commits to them, so a spec
 * must state them as they are, and the node serves them as stated.
 *
 * @module
 */
import type { ChainProperties } from "../runtime/executive/runtime.ts";
import { PROPERTIES } from "../runtime/mod.ts";
import { ChainSpecError } from "./error.ts";
import { isObject } from "./_json.ts";
import { decodeLightSyncState, type LightSyncState } from "./light_sync_state.ts";

export { ChainSpecError };

/** A chain spec. */
export interface ChainSpec {
  name: string;
  id: string;
  chainType: "Development" | "Local" | "Live";
  bootNodes: string[];
  properties: ChainProperties;
  relay?: RelaySettings;
  /** A finalized checkpoint a light client starts from instead of genesis (trusted). */
  lightSyncState?: LightSyncState;
  genesis: { runtime: Record<string, unknown> } | { raw: { top: Record<string, string> } };
}

/** How the chain's relays treat viewers: off-chain settings every node shares. */
export interface RelaySettings {
  /** Seconds a viewer's vouchers may lag behind what it watched before it is cut off. */
  graceSeconds: number;
  /** STUN/TURN servers offered to publishers and viewers. */
  iceServers: { urls: string; username?: string; credential?: string }[];
  /**
   * The longest a relay token of each role may live, in seconds (default:
   * watch and relay 600, publish 86,400). Longer-lived tokens are refused.
   */
  maxTokenSeconds?: { watch: number; publish: number; relay: number };
  /**
   * How many sessions a relay admits (default: 4 per account, 32 per client
   * IP, loopback exempt, 1,000 in all).
   */
  sessionCaps?: { perAccount: number; perIp: number; total: number };
}

/**
 * Checks the shape of a parsed chain spec (the runtime genesis itself is
 * checked when genesis is built, with the same kind of field paths).
 *
 * @throws {ChainSpecError} naming the first bad field
 */
export function validateChainSpec(json: unknown): ChainSpec {
  if (!isObject(json)) throw new ChainSpecError("(root)", "expected an object");
  for (const field of ["name", "id"]) {
    if (typeof json[field] !== "string" || !(json[field] as string).length) {
      throw new ChainSpecError(field, "expected a non-empty string");
    }
  }
  if (!["Development", "Local", "Live"].includes(json.chainType as string)) {
    throw new ChainSpecError("chainType", "expected Development, Local or Live");
  }
  if (!Array.isArray(json.bootNodes) || json.bootNodes.some((b) => typeof b !== "string")) {
    throw new ChainSpecError("bootNodes", "expected an array of multiaddr strings");
  }
  const props = json.properties;
  if (!isObject(props)) throw new ChainSpecError("properties", "expected an object");
  const ss58 = props.ss58Format;
  if (!Number.isInteger(ss58) || (ss58 as number) < 0 || (ss58 as number) > 16383) {
    throw new ChainSpecError("properties.ss58Format", "expected an integer from 0 to 16383");
  }
  if (typeof props.tokenSymbol !== "string" || !props.tokenSymbol) {
    throw new ChainSpecError("properties.tokenSymbol", "expected a non-empty string");
  }
  const decimals = props.tokenDecimals;
  if (!Number.isInteger(decimals) || (decimals as number) < 0 || (decimals as number) > 30) {
    throw new ChainSpecError("properties.tokenDecimals", "expected an integer from 0 to 30");
  }
  for (const [field, value] of Object.entries(PROPERTIES)) {
    if (props[field] !== value) {
      throw new ChainSpecError(
        `properties.${field}`,
        `the runtime's is ${JSON.stringify(value)} (the metadata hash signers sign commits to it)`,
      );
    }
  }
  if (json.relay !== undefined) validateRelay(json.relay);
  if (json.lightSyncState !== undefined) decodeLightSyncState(json.lightSyncState);
  const genesis = json.genesis;
  if (!isObject(genesis)) throw new ChainSpecError("genesis", "expected an object");
  if ("runtime" in genesis) {
    if (!isObject(genesis.runtime)) {
      throw new ChainSpecError("genesis.runtime", "expected an object");
    }
  } else if ("raw" in genesis) {
    const raw = genesis.raw;
    if (!isObject(raw) || !isObject(raw.top)) {
      throw new ChainSpecError("genesis.raw.top", "expected an object");
    }
    for (const [key, value] of Object.entries(raw.top)) {
      if (
        !/^0x([0-9a-f]{2})*$/.test(key) || typeof value !== "string" ||
        !/^0x([0-9a-f]{2})*$/.test(value)
      ) {
        throw new ChainSpecError(`genesis.raw.top.${key}`, "expected 0x hex key and value");
      }
    }
  } else {
    throw new ChainSpecError("genesis", "expected `runtime` or `raw`");
  }
  return json as unknown as ChainSpec;
}

function validateRelay(relay: unknown): void {
  if (!isObject(relay)) throw new ChainSpecError("relay", "expected an object");
  const grace = relay.graceSeconds;
  if (!Number.isInteger(grace) || (grace as number) < 1 || (grace as number) > 3600) {
    throw new ChainSpecError("relay.graceSeconds", "expected an integer from 1 to 3600");
  }
  if (!Array.isArray(relay.iceServers)) {
    throw new ChainSpecError("relay.iceServers", "expected an array");
  }
  if (relay.maxTokenSeconds !== undefined) {
    const max = relay.maxTokenSeconds;
    if (!isObject(max)) throw new ChainSpecError("relay.maxTokenSeconds", "expected an object");
    for (const role of ["watch", "publish", "relay"]) {
      const seconds = max[role];
      if (!Number.isInteger(seconds) || (seconds as number) < 60 || (seconds as number) > 604_800) {
        throw new ChainSpecError(
          `relay.maxTokenSeconds.${role}`,
          "expected an integer from 60 to 604800",
        );
      }
    }
  }
  if (relay.sessionCaps !== undefined) {
    const caps = relay.sessionCaps;
    if (!isObject(caps)) throw new ChainSpecError("relay.sessionCaps", "expected an object");
    for (const cap of ["perAccount", "perIp", "total"]) {
      const n = caps[cap];
      if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 1_000_000) {
        throw new ChainSpecError(
          `relay.sessionCaps.${cap}`,
          "expected an integer from 1 to 1000000",
        );
      }
    }
  }
  relay.iceServers.forEach((server: unknown, i: number) => {
    const at = `relay.iceServers.${i}`;
    if (!isObject(server)) throw new ChainSpecError(at, "expected an object");
    if (typeof server.urls !== "string" || !/^(stun|stuns|turn|turns):/.test(server.urls)) {
      throw new ChainSpecError(`${at}.urls`, "expected a stun: or turn: URL");
    }
    for (const field of ["username", "credential"]) {
      if (server[field] !== undefined && typeof server[field] !== "string") {
        throw new ChainSpecError(`${at}.${field}`, "expected a string");
      }
    }
  });
}
