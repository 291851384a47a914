// Host imports of the ISCP wasm ABI v1 (module "iscp"). See docs/decisions/vm-host-abi.md.
// Pointers and lengths are i32 offsets into this module's memory. Variable-length results are parked by the
// host: the function returns their length (-1 = absent) and ret_copy(ptr) copies them here.

@external("iscp", "state_get") export declare function state_get(k: usize, kl: u32): i32;
@external("iscp", "state_has") export declare function state_has(k: usize, kl: u32): i32;
@external("iscp", "state_set") export declare function state_set(k: usize, kl: u32, v: usize, vl: u32): void;
@external("iscp", "state_del") export declare function state_del(k: usize, kl: u32): void;
@external("iscp", "state_keys") export declare function state_keys(p: usize, pl: u32): i32;
@external("iscp", "param_get") export declare function param_get(k: usize, kl: u32): i32;
@external("iscp", "result_set") export declare function result_set(k: usize, kl: u32, v: usize, vl: u32): void;
@external("iscp", "ret_copy") export declare function ret_copy(p: usize): void;
@external("iscp", "caller") export declare function caller(): i32;
@external("iscp", "contract") export declare function contract(): u32;
@external("iscp", "chain_id") export declare function chain_id(): i32;
@external("iscp", "chain_owner") export declare function chain_owner(): i32;
@external("iscp", "request_id") export declare function request_id(): i32;
@external("iscp", "timestamp") export declare function timestamp(): i64;
@external("iscp", "entropy") export declare function entropy(): i32;
@external("iscp", "balance") export declare function balance(color: usize): u64;
@external("iscp", "incoming") export declare function incoming(color: usize): u64;
@external("iscp", "transfer") export declare function transfer(agent: usize, color: usize, amount: u64): void;
@external("iscp", "transfer_to_address") export declare function transfer_to_address(addr: usize, color: usize, amount: u64): void;
@external("iscp", "mint") export declare function mint(addr: usize, amount: u64): void;
@external("iscp", "call") export declare function call(contract: u32, ep: u32, p: usize, pl: u32, t: usize, tl: u32): i32;
@external("iscp", "call_view") export declare function call_view(contract: u32, view: u32, p: usize, pl: u32): i32;
@external("iscp", "post_request") export declare function post_request(chain: usize, contract: u32, ep: u32, p: usize, pl: u32, t: usize, tl: u32, timelock: u32): void;
@external("iscp", "event") export declare function event(p: usize, l: u32): void;
@external("iscp", "log") export declare function log(p: usize, l: u32): void;
@external("iscp", "panic") export declare function panic(p: usize, l: u32): void;
@external("iscp", "hname") export declare function hname(p: usize, l: u32): u32;
@external("iscp", "blake2b") export declare function blake2b(p: usize, l: u32): i32;
@external("iscp", "base58_encode") export declare function base58_encode(p: usize, l: u32): i32;
@external("iscp", "ed25519_verify") export declare function ed25519_verify(pk: usize, m: usize, ml: u32, sig: usize): i32;
