// JSON bodies as a reader of the evidence wants them: indented, two spaces a level. Only the
// whitespace between tokens changes, so the body still says exactly what was on the wire: a
// number keeps its spelling (1.0, 1e2, 12345678901234567890), a repeated key stays repeated.

/** `text` indented when it is a JSON object or array; anything else (not JSON, a bare value) unchanged. */
export function prettyJson(text: string): string {
  const body = text.trim();
  if (!/^[[{]/.test(body)) return text;
  try {
    JSON.parse(body);
  } catch {
    return text;
  }
  let out = '';
  let depth = 0;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') {
      // A string, escapes and all, as it came.
      let j = i + 1;
      while (body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      out += body.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      let j = i + 1;
      while (/\s/.test(body[j]!)) j++;
      // {} and [] stay on their line.
      if (body[j] === '}' || body[j] === ']') {
        out += c + body[j];
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += `,${newline()}`;
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}
