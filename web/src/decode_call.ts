/**
 * Extrinsics of a block in words: who signed, which call, its arguments as
 * JSON — decoded with the node's metadata, the inverse of
 * `encodeCallFromJson`.
 *
 * @module
 */
import { Reader } from "../../runtime/codec/types.ts";
import { typeOfDesc } from "../../runtime/codec/from_desc.ts";
import { toJson } from "../../runtime/codec/json.ts";
import type { RuntimeMetadata } from "../../runtime/executive/metadata.ts";
import { decodeExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";

/** An extrinsic of a block, decoded. */
export interface DecodedExtrinsic {
  /** The signer's SS58 address; undefined for an inherent. */
  signer?: string;
  nonce?: number;
  pallet: string;
  call: string;
  args: Record<string, unknown>;
}

/**
 * Decodes an extrinsic (`0x` hex, as `chain_getBlock` gives it).
 *
 * @throws {RangeError} when its call is not in the metadata, or {@link DecodeError} on bad bytes
 */
export function decodeExtrinsicWith(metadata: RuntimeMetadata, hex: string): DecodedExtrinsic {
  const extrinsic = decodeExtrinsic(fromHex(hex));
  const r = new Reader(extrinsic.call);
  const palletIndex = r.u8();
  const callIndex = r.u8();
  const pallet = metadata.pallets.find((p) => p.index === palletIndex);
  const call = pallet?.calls.find((c) => c.index === callIndex);
  if (!pallet || !call) throw new RangeError(`Unknown call ${palletIndex}/${callIndex}`);
  const args: Record<string, unknown> = {};
  for (const arg of call.args) {
    // A call argument (sudo's `call`) decodes against the metadata's calls.
    const value = typeOfDesc(arg.type, metadata).decodeFrom(r);
    args[arg.name] = toJson(arg.type, value, metadata.ss58Format, metadata);
  }
  return extrinsic.kind === "signed"
    ? {
      signer: ss58Encode(extrinsic.signer, metadata.ss58Format),
      nonce: extrinsic.extra.nonce,
      pallet: pallet.name,
      call: call.name,
      args,
    }
    : { pallet: pallet.name, call: call.name, args };
}
