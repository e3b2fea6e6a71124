/**
 * A reader for the Erlang terms the OTP benchmark writes (`io_lib:format("~p.~n", [Map])`).
 * Maps become objects, tuples and lists arrays, atoms and strings strings, numbers numbers.
 * Just enough Erlang syntax for benchmark results; not a general term parser.
 */
export type Term = number | string | Term[] | { [key: string]: Term };

export function parseTerm(text: string): Term {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`eterm: ${what} at offset ${i}: ${JSON.stringify(text.slice(i, i + 30))}`);
  };
  const seq = (close: string): Term[] => {
    const items: Term[] = [];
    ws();
    if (text[i] === close) {
      i++;
      return items;
    }
    for (;;) {
      items.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === '|') {
        i++;
        items.push(value());
        ws();
      } else if (text[i] === close) {
        i++;
        return items;
      } else fail(`expected , or ${close}`);
    }
  };
  const value = (): Term => {
    ws();
    const c = text[i];
    if (c === '#' && text[i + 1] === '{') {
      i += 2;
      const obj: Record<string, Term> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        const key = value();
        ws();
        if (text.slice(i, i + 2) !== '=>') fail('expected =>');
        i += 2;
        obj[typeof key === 'string' || typeof key === 'number' ? String(key) : JSON.stringify(key)] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail('expected , or }');
      }
    }
    if (c === '{') {
      i++;
      return seq('}');
    }
    if (c === '[') {
      i++;
      return seq(']');
    }
    if (c === '<' && text[i + 1] === '<') {
      i += 2;
      ws();
      const inner = text[i] === '"' ? value() : '';
      ws();
      if (text.slice(i, i + 2) !== '>>') fail('expected >>');
      i += 2;
      return inner;
    }
    if (c === '"' || c === "'") {
      i++;
      let s = '';
      while (text[i] !== c) {
        if (i >= text.length) fail('unterminated string');
        if (text[i] === '\\') i++;
        s += text[i++];
      }
      i++;
      return s;
    }
    const num = /^-?\d+(\.\d+)?(e[+-]?\d+)?/i.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const atom = /^[a-z][A-Za-z0-9_@]*/.exec(text.slice(i));
    if (atom) {
      i += atom[0].length;
      return atom[0];
    }
    const pid = /^<\d+\.\d+\.\d+>/.exec(text.slice(i));
    if (pid) {
      i += pid[0].length;
      return pid[0];
    }
    return fail('unexpected input');
  };
  const result = value();
  ws();
  if (text[i] === '.') i++;
  return result;
}
