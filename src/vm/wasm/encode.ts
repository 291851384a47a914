/** Encoder for WasmModule: canonical LEB128, sections in the standard order, custom sections put back in place. */
import { ByteWriter } from './bytes';
import { WASM_MAGIC, WASM_VERSION } from './parse';
import type { ElemSegment, Limits, WasmModule } from './types';

function limits(w: ByteWriter, l: Limits): void {
  if (l.max === undefined) w.byte(0).u32(l.min);
  else w.byte(1).u32(l.min).u32(l.max);
}

function elem(w: ByteWriter, s: ElemSegment): void {
  w.u32(s.flags);
  const items = (): void => {
    if (s.funcs !== undefined) {
      w.u32(s.funcs.length);
      s.funcs.forEach((f) => w.u32(f));
    } else {
      const exprs = s.exprs ?? [];
      w.u32(exprs.length);
      exprs.forEach((e) => w.bytes(e.bytes));
    }
  };
  switch (s.flags) {
    case 0: case 4: w.bytes(s.offset?.bytes ?? []); break;
    case 1: case 3: w.byte(0); break;
    case 2: w.u32(s.table).bytes(s.offset?.bytes ?? []).byte(0); break;
    case 5: case 7: w.byte(s.elemType); break;
    case 6: w.u32(s.table).bytes(s.offset?.bytes ?? []).byte(s.elemType); break;
  }
  items();
}

export function encodeModule(m: WasmModule): Uint8Array {
  const out = new ByteWriter().bytes(WASM_MAGIC).bytes(WASM_VERSION);
  const customsAfter = (id: number): void => {
    for (const c of m.customs) if (c.after === id) out.byte(0).u32(c.payload.length).bytes(c.payload);
  };
  const section = (id: number, present: boolean, fill: (w: ByteWriter) => void): void => {
    if (present) {
      const w = new ByteWriter();
      fill(w);
      out.byte(id).sized(w);
    }
    customsAfter(id);
  };
  customsAfter(0);
  section(1, m.types.length > 0, (w) => {
    w.u32(m.types.length);
    for (const t of m.types) w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
  });
  section(2, m.imports.length > 0, (w) => {
    w.u32(m.imports.length);
    for (const i of m.imports) w.name(i.module).name(i.name).byte(0).u32(i.typeIndex);
  });
  section(3, m.funcs.length > 0, (w) => {
    w.u32(m.funcs.length);
    m.funcs.forEach((t) => w.u32(t));
  });
  section(4, m.tables.length > 0, (w) => {
    w.u32(m.tables.length);
    for (const t of m.tables) {
      w.byte(t.elemType);
      limits(w, t.limits);
    }
  });
  section(5, m.memories.length > 0, (w) => {
    w.u32(m.memories.length);
    m.memories.forEach((l) => limits(w, l));
  });
  section(6, m.globals.length > 0, (w) => {
    w.u32(m.globals.length);
    for (const g of m.globals) w.byte(g.type).byte(g.mutable ? 1 : 0).bytes(g.init.bytes);
  });
  section(7, m.exports.length > 0, (w) => {
    w.u32(m.exports.length);
    for (const e of m.exports) w.name(e.name).byte(e.kind).u32(e.index);
  });
  section(8, m.start !== undefined, (w) => w.u32(m.start as number));
  section(9, m.elems.length > 0, (w) => {
    w.u32(m.elems.length);
    m.elems.forEach((s) => elem(w, s));
  });
  section(12, m.dataCount !== undefined, (w) => w.u32(m.dataCount as number));
  section(10, m.codes.length > 0, (w) => {
    w.u32(m.codes.length);
    for (const c of m.codes) {
      const body = new ByteWriter().u32(c.locals.length);
      for (const l of c.locals) body.u32(l.count).byte(l.type);
      body.bytes(c.code);
      w.sized(body);
    }
  });
  section(11, m.datas.length > 0, (w) => {
    w.u32(m.datas.length);
    for (const d of m.datas) {
      w.u32(d.flags);
      if (d.flags === 2) w.u32(0);
      if (d.offset !== undefined) w.bytes(d.offset.bytes);
      w.u32(d.bytes.length).bytes(d.bytes);
    }
  });
  return out.finish();
}
