// A strict, small XML 1.0 reader for the tests: enough to prove JUnit output is well formed
// (one root, balanced tags, quoted attributes, only known entity references) and to read it back.
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;

function decode(raw: string, where: number): string {
  if (/[<]/.test(raw)) throw new Error(`raw '<' at ${where}`);
  const stripped = raw.replace(ENTITY, '');
  if (stripped.includes('&')) throw new Error(`bare '&' at ${where}`);
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return raw.replace(ENTITY, (_, n: string | undefined, d: string | undefined, x: string | undefined) =>
    n ? named[n]! : String.fromCodePoint(d ? Number(d) : parseInt(x!, 16)),
  );
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unclosed XML declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (;;) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (stack.length) stack[stack.length - 1]!.text += decode(chunk, i);
    else if (chunk.trim()) fail('text outside the root element');
    if (lt < 0) break;
    i = lt + 1;
    if (text[i] === '/') {
      i++;
      const name = NAME.exec(text.slice(i))?.[0] ?? fail('bad end tag');
      i += name.length;
      skipSpace();
      if (text[i] !== '>') fail('bad end tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`mismatched </${name}>`);
      continue;
    }
    if (text.startsWith('!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
      continue;
    }
    const name = NAME.exec(text.slice(i))?.[0] ?? fail('bad start tag');
    i += name.length;
    const element: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (text.startsWith('/>', i) || text[i] === '>') break;
      const attr = NAME.exec(text.slice(i))?.[0] ?? fail(`bad attribute in <${name}>`);
      i += attr.length;
      skipSpace();
      if (text[i] !== '=') fail('attribute without =');
      i++;
      skipSpace();
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail('unquoted attribute');
      const end = text.indexOf(quote!, i + 1);
      if (end < 0) fail('unclosed attribute');
      if (attr in element.attrs) fail(`duplicate attribute ${attr}`);
      element.attrs[attr] = decode(text.slice(i + 1, end), i);
      i = end + 1;
    }
    if (stack.length) stack[stack.length - 1]!.children.push(element);
    else if (root) fail('second root element');
    else root = element;
    if (text.startsWith('/>', i)) i += 2;
    else {
      i++;
      stack.push(element);
    }
  }
  if (stack.length) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  return root ?? fail('no root element');
}

export function findAll(e: XmlElement, name: string): XmlElement[] {
  return [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => findAll(c, name))];
}
