// C++ names as text: the pieces gdb's linespecs compare. A demangled
// signature (`int ns::box<int>::get() const`) splits into its qualified name,
// parameter list and trailing qualifiers; names and parameter types written by
// a user normalise to one spelling, so `resize(int,int)`, `resize(int, int)`
// and c++filt's output compare equal, and `const Widget &` equals c++filt's
// `Widget const&`.

export interface Token {
  text: string;
  /** An identifier, number or merged operator name (`operator==`), as opposed to punctuation. */
  word: boolean;
  /** Whitespace came before it in the source text. */
  space: boolean;
}

const OPERATORS = ["<<=", ">>=", "<=>", "->*", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "->", "<", ">", "=", "!", "+", "-", "*", "/", "%", "^", "&", "|", "~", ","];

/** Split C++ name text into tokens; `operator` and the operator after it become one word token. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let space = false;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      space = true;
      i++;
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*|^[0-9][A-Za-z0-9_]*/.exec(text.slice(i));
    if (word) {
      let t = word[0];
      i += t.length;
      if (t === "operator") {
        const rest = text.slice(i);
        const lead = /^\s*/.exec(rest)![0].length;
        const r = rest.slice(lead);
        const sym = r.startsWith("()") ? "()" : r.startsWith("[]") ? "[]" : OPERATORS.find((o) => r.startsWith(o));
        if (sym !== undefined) {
          t += sym;
          i += lead + sym.length;
        } else {
          // operator new / delete (maybe []), or a conversion operator: `operator int`.
          const w = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(r);
          if (w) {
            t += ` ${w[0]}`;
            i += lead + w[0].length;
            const arr = /^\s*\[\]/.exec(text.slice(i));
            if ((w[0] === "new" || w[0] === "delete") && arr) {
              t += "[]";
              i += arr[0].length;
            }
          }
        }
      }
      out.push({ text: t, word: true, space });
    } else if (text.startsWith("::", i)) {
      out.push({ text: "::", word: false, space });
      i += 2;
    } else {
      out.push({ text: c, word: false, space });
      i++;
    }
    space = false;
  }
  return out;
}

/** Tokens back to text with one spelling: a space only between two words. */
function join(tokens: Token[]): string {
  let s = "";
  let prevWord = false;
  for (const t of tokens) {
    if (t.word && prevWord) s += " ";
    s += t.text;
    prevWord = t.word;
  }
  return s;
}

/** Split at top-level occurrences of `sep` (outside <>, (), []). */
function splitTop(tokens: Token[], sep: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === "<" || t.text === "(" || t.text === "[") depth++;
    else if (t.text === ">" || t.text === ")" || t.text === "]") depth--;
    if (depth === 0 && t.text === sep) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** The components of a qualified name: `ns::box<int, long>::get` → ["ns", "box<int,long>", "get"] (normalised). */
export function nameComponents(name: string): string[] {
  return splitTop(tokenize(name), "::").map(join);
}

/** `box<int>` → `box`; operator names are left alone (`operator<`). */
export function withoutTemplateArgs(component: string): string {
  if (component.startsWith("operator") || component.startsWith("~operator")) return component;
  const lt = component.indexOf("<");
  return lt > 0 && component.endsWith(">") ? component.slice(0, lt) : component;
}

/**
 * gdb's wild matching: the pattern's components are the last components of
 * the candidate (`Widget::resize` matches `ns::Widget::resize`). A pattern
 * component without template arguments matches any instantiation
 * (`box::get` matches `box<int>::get`).
 */
export function wildMatch(candidate: string[], pattern: string[]): boolean {
  if (pattern.length === 0 || pattern.length > candidate.length) return false;
  const off = candidate.length - pattern.length;
  return pattern.every((p, i) => {
    const c = candidate[off + i]!;
    return c === p || (!p.includes("<") && withoutTemplateArgs(c) === p);
  });
}

const BUILTIN_WORDS = new Set(["signed", "unsigned", "short", "long", "int", "char"]);

/** A run of builtin type keywords in any order (`long unsigned int`) → c++filt's spelling (`unsigned long`). */
function canonicalBuiltin(words: string[]): string[] {
  const count = (w: string) => words.filter((x) => x === w).length;
  const unsigned = count("unsigned") > 0;
  const signed = count("signed") > 0;
  const longs = count("long");
  let base: string;
  if (count("char") > 0) base = unsigned ? "unsigned char" : signed ? "signed char" : "char";
  else if (count("short") > 0) base = unsigned ? "unsigned short" : "short";
  else if (longs >= 2) base = unsigned ? "unsigned long long" : "long long";
  else if (longs === 1) base = unsigned ? "unsigned long" : "long";
  else base = unsigned ? "unsigned int" : "int";
  return base.split(" ");
}

/** One parameter type in one spelling: builtin keywords canonical, leading cv-qualifiers moved after the type they qualify. */
export function normalizeType(text: string): string {
  let tokens = tokenize(text);
  // Builtin keyword runs → canonical words.
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i]!.word && BUILTIN_WORDS.has(tokens[i]!.text) && tokens[i - 1]?.text !== "::") {
      const run: string[] = [];
      const quals: string[] = [];
      while (i < tokens.length && tokens[i]!.word && (BUILTIN_WORDS.has(tokens[i]!.text) || tokens[i]!.text === "const" || tokens[i]!.text === "volatile")) {
        (BUILTIN_WORDS.has(tokens[i]!.text) ? run : quals).push(tokens[i]!.text);
        i++;
      }
      for (const w of [...canonicalBuiltin(run), ...quals]) out.push({ text: w, word: true, space: true });
    } else out.push(tokens[i++]!);
  }
  tokens = out;
  // `const T …` → `T const …` (c++filt writes qualifiers after the type).
  const lead: Token[] = [];
  while (tokens.length > 0 && (tokens[0]!.text === "const" || tokens[0]!.text === "volatile")) lead.push(tokens.shift()!);
  if (lead.length > 0) {
    let end = 0;
    let depth = 0;
    for (; end < tokens.length; end++) {
      const t = tokens[end]!.text;
      if (t === "<") depth++;
      else if (t === ">") depth--;
      else if (depth === 0 && (t === "*" || t === "&" || t === "(" || t === "[")) break;
    }
    // Qualifiers already after the base (`const int const` is not C++) keep their order after it.
    tokens = [...tokens.slice(0, end), ...lead, ...tokens.slice(end)];
  }
  return join(tokens);
}

/** A parameter list's text (without the parentheses) → normalised types; `void` alone is an empty list. */
export function normalizeParams(text: string): string[] {
  const tokens = tokenize(text);
  if (tokens.length === 0) return [];
  const parts = splitTop(tokens, ",").map((p) => normalizeType(join(p)));
  return parts.length === 1 && parts[0] === "void" ? [] : parts;
}

export interface Signature {
  /** The qualified name, without return type or parameters: `ns::box<int>::get`. */
  name: string;
  /** Parameter types as written (c++filt's spelling for demangled text), or undefined when there was no list. */
  params?: string[];
  /** What follows the list: `const`, `volatile`, `&`, `&&` (normalised; "" when none). */
  quals: string;
}

const TRAILING_QUALS = new Set(["const", "volatile", "&", "&&", "noexcept"]);

/**
 * Split function text — a demangled signature (`int outer::twice<int>(int)`,
 * `ns::box<int>::get() const`) or a user's pattern (`ns::Widget::resize(int, int)`)
 * — into name, parameters and qualifiers. A return type before the name is dropped.
 */
export function splitSignature(text: string): Signature {
  const tokens = tokenize(text);
  // Trailing qualifiers after the parameter list.
  let end = tokens.length;
  while (end > 0 && TRAILING_QUALS.has(tokens[end - 1]!.text)) end--;
  let params: string[] | undefined;
  let nameEnd = tokens.length;
  if (end > 0 && tokens[end - 1]!.text === ")") {
    let depth = 0;
    let open = -1;
    for (let i = end - 1; i >= 0; i--) {
      const t = tokens[i]!.text;
      if (t === ")") depth++;
      else if (t === "(" && --depth === 0) {
        open = i;
        break;
      }
    }
    if (open > 0) {
      const inner = tokens.slice(open + 1, end - 1);
      params = inner.length === 0 ? [] : splitTop(inner, ",").map(join);
      if (params.length === 1 && params[0] === "void") params = [];
      nameEnd = open;
    }
  }
  const quals = params === undefined ? "" : join(tokens.slice(end));
  // The name starts after the last top-level space (a return type comes before it).
  let start = 0;
  let depth = 0;
  for (let i = 0; i < nameEnd; i++) {
    const t = tokens[i]!;
    if (t.text === "<" || t.text === "(" || t.text === "[") depth++;
    else if (t.text === ">" || t.text === ")" || t.text === "]") depth--;
    else if (depth === 0 && t.space && i > 0 && tokens[i - 1]!.text !== "::" && t.text !== "::") start = i;
  }
  return { name: join(tokens.slice(start, nameEnd)), params, quals };
}

/** How gdb lists a function: `ns::Widget::resize(int, int)`, `ns::box<int>::get() const`. */
export function formatSignature(s: Signature): string {
  return `${s.name}(${(s.params ?? []).join(", ")})${s.quals ? ` ${s.quals}` : ""}`;
}
