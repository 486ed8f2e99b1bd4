// A strict XML 1.0 parser (well-formedness: one root, matched tags, quoted unique attributes,
// no raw < or & in text or attributes, only XML characters, known entities) and a validator for
// the part of XML Schema that junit-4.xsd uses: global elements by ref, sequences with
// minOccurs/maxOccurs, attributes with use="required", mixed content, xs:string simple elements.
// Used when no XML Schema validator (xmllint) is installed; the tests run both when it is.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** Text that is not only whitespace, outside child elements. */
  hasText: boolean;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const CHAR_OK = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

function decode(s: string, where: number): string {
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new XmlError(`raw '<' or '&' at ${where}`);
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`unknown entity &${e}; at ${where}`);
    return v;
  });
}

export function parseXml(src: string): XmlElement {
  if (!CHAR_OK.test(src)) throw new XmlError('characters outside XML 1.0');
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0].length;
      i += ws;
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        if (src.slice(i + 4, end).includes('--')) throw new XmlError('-- inside a comment');
        i = end + 3;
      } else if (src.startsWith('<?', i) && !src.startsWith('<?xml ', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) throw new XmlError('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  if (src.startsWith('<?xml ')) {
    const end = src.indexOf('?>');
    if (end < 0) throw new XmlError('unterminated XML declaration');
    const decl = src.slice(0, end);
    if (!/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z][A-Za-z0-9._-]*")?( standalone="(yes|no)")?\s*$/.test(decl)) throw new XmlError(`bad XML declaration ${decl}`);
    i = end + 2;
  }
  skipMisc();
  const parseElement = (): XmlElement => {
    if (src[i] !== '<') throw new XmlError(`expected an element at ${i}`);
    i++;
    const m = NAME.exec(src.slice(i));
    if (!m) throw new XmlError(`bad element name at ${i}`);
    const name = m[0];
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0].length;
      i += ws;
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '', hasText: false };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (!ws) throw new XmlError(`expected whitespace before an attribute at ${i}`);
      const a = NAME.exec(src.slice(i));
      if (!a) throw new XmlError(`bad attribute name at ${i}`);
      i += a[0].length;
      const eq = /^\s*=\s*/.exec(src.slice(i));
      if (!eq) throw new XmlError(`expected = after ${a[0]} at ${i}`);
      i += eq[0].length;
      const q = src[i];
      if (q !== '"' && q !== "'") throw new XmlError(`unquoted attribute ${a[0]} at ${i}`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) throw new XmlError(`unterminated attribute ${a[0]}`);
      if (a[0] in attrs) throw new XmlError(`duplicate attribute ${a[0]} on <${name}>`);
      attrs[a[0]] = decode(src.slice(i + 1, end), i).replace(/[\t\n\r]/g, ' ');
      i = end + 1;
    }
    const el: XmlElement = { name, attrs, children: [], text: '', hasText: false };
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt < 0) throw new XmlError(`unclosed <${name}>`);
      const raw = src.slice(i, lt);
      if (raw.includes(']]>')) throw new XmlError(`]]> in text at ${i}`);
      const text = decode(raw, i);
      el.text += text;
      if (text.trim()) el.hasText = true;
      i = lt;
      if (src.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_:][-A-Za-z0-9_:.]*)\s*>/.exec(src.slice(i));
        if (!close || close[1] !== name) throw new XmlError(`</${close?.[1]}> does not close <${name}> at ${i}`);
        i += close[0].length;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        i = end + 3;
        continue;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) throw new XmlError('unterminated CDATA');
        const t = src.slice(i + 9, end);
        el.text += t;
        if (t.trim()) el.hasText = true;
        i = end + 3;
        continue;
      }
      el.children.push(parseElement());
    }
  };
  const root = parseElement();
  skipMisc();
  if (i !== src.length) throw new XmlError(`content after the root element at ${i}`);
  return root;
}

// ---------------------------------------------------------------- XML Schema subset

interface Particle {
  ref: string;
  min: number;
  max: number;
}

interface ElementDecl {
  simple: boolean;
  mixed: boolean;
  sequence: Particle[];
  attributes: Map<string, boolean>;
}

const XS = (el: XmlElement, local: string) => el.name === `xs:${local}`;

export function loadSchema(xsd: string): Map<string, ElementDecl> {
  const root = parseXml(xsd);
  if (!XS(root, 'schema')) throw new XmlError('not an xs:schema');
  const decls = new Map<string, ElementDecl>();
  for (const e of root.children) {
    if (!XS(e, 'element')) throw new XmlError(`unsupported top-level ${e.name}`);
    const name = e.attrs.name!;
    if (e.attrs.type !== undefined) {
      if (e.attrs.type !== 'xs:string') throw new XmlError(`unsupported type ${e.attrs.type}`);
      decls.set(name, { simple: true, mixed: true, sequence: [], attributes: new Map() });
      continue;
    }
    const ct = e.children.find((c) => XS(c, 'complexType'));
    if (!ct) throw new XmlError(`element ${name} has no type`);
    const decl: ElementDecl = { simple: false, mixed: ct.attrs.mixed === 'true', sequence: [], attributes: new Map() };
    for (const c of ct.children) {
      if (XS(c, 'sequence')) {
        for (const p of c.children) {
          if (!XS(p, 'element') || !p.attrs.ref) throw new XmlError(`unsupported particle in ${name}`);
          decl.sequence.push({ ref: p.attrs.ref, min: Number(p.attrs.minOccurs ?? 1), max: p.attrs.maxOccurs === 'unbounded' ? Infinity : Number(p.attrs.maxOccurs ?? 1) });
        }
      } else if (XS(c, 'attribute')) decl.attributes.set(c.attrs.name!, c.attrs.use === 'required');
      else throw new XmlError(`unsupported ${c.name} in ${name}`);
    }
    decls.set(name, decl);
  }
  return decls;
}

/** Problems of `el` against the schema (empty when valid), with the element path. */
export function validateXml(el: XmlElement, decls: Map<string, ElementDecl>, path = ''): string[] {
  const here = `${path}/${el.name}`;
  const d = decls.get(el.name);
  if (!d) return [`${here}: element not declared`];
  const out: string[] = [];
  for (const a of Object.keys(el.attrs)) if (!d.attributes.has(a)) out.push(`${here}: attribute ${a} not allowed`);
  for (const [a, req] of d.attributes) if (req && !(a in el.attrs)) out.push(`${here}: attribute ${a} required`);
  if (d.simple) {
    if (el.children.length) out.push(`${here}: simple content cannot hold elements`);
    return out;
  }
  if (el.hasText && !d.mixed) out.push(`${here}: text not allowed`);
  let k = 0;
  for (const p of d.sequence) {
    let n = 0;
    while (k < el.children.length && el.children[k]!.name === p.ref && n < p.max) {
      n++;
      k++;
    }
    if (n < p.min) out.push(`${here}: expected at least ${p.min} <${p.ref}>`);
  }
  if (k < el.children.length) out.push(`${here}: unexpected <${el.children[k]!.name}> at position ${k + 1}`);
  for (const c of el.children) out.push(...validateXml(c, decls, here));
  return out;
}
