/**
 * The access pallet's storage and the records it holds, without its calls:
 * what a reader of proven state needs (a light client, the web app checking
 * a channel before it pays). `mod.ts` brings the calls, and with them the
 * host's native signature check, which a browser cannot load.
 *
 * @example
 * ```ts
 * import { accessStorage } from "./storage.ts";
 * console.assert(accessStorage.Channels.keyOf(0n).length === 32 + 8 + 8);
 * ```
 *
 * @module
 */
export {
  type Channel,
  channelIdType,
  channelType,
  storage as accessStorage,
} from "./_declarations.ts";
