// Parser for Itanium C++ ABI mangled names (https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling)
// into the component tree of ast.ts. It follows the grammar as GNU c++filt
// reads it, including its substitution bookkeeping, so that S_/T_ references
// resolve to the same entities and the printer can match c++filt exactly.
//
// Every path is bounded: recursion depth, input length and substitution
// count are limited, and any failure throws ParseFail (caught by the entry).

import { type BuiltinInfo, K, type Node, type OperatorInfo, Print, isFnQual, mk } from "./ast.ts";

export class ParseFail extends Error {}

function fail(): never {
  throw new ParseFail();
}

const B = (name: string, print: Print = Print.Default): BuiltinInfo => ({ name, print });

const BUILTINS: Record<string, BuiltinInfo> = {
  a: B("signed char"),
  b: B("bool", Print.Bool),
  c: B("char"),
  d: B("double", Print.Float),
  e: B("long double", Print.Float),
  f: B("float", Print.Float),
  g: B("__float128", Print.Float),
  h: B("unsigned char"),
  i: B("int", Print.Int),
  j: B("unsigned int", Print.Unsigned),
  l: B("long", Print.Long),
  m: B("unsigned long", Print.UnsignedLong),
  n: B("__int128"),
  o: B("unsigned __int128"),
  s: B("short"),
  t: B("unsigned short"),
  v: B("void", Print.Void),
  w: B("wchar_t"),
  x: B("long long", Print.LongLong),
  y: B("unsigned long long", Print.UnsignedLongLong),
  z: B("..."),
};

const D_BUILTINS: Record<string, BuiltinInfo> = {
  f: B("decimal32"),
  d: B("decimal64"),
  e: B("decimal128"),
  h: B("half", Print.Float),
  u: B("char8_t"),
  s: B("char16_t"),
  i: B("char32_t"),
  n: B("decltype(nullptr)"),
};

const OPS: Record<string, OperatorInfo> = {};
for (const [code, name, args] of [
  ["aN", "&=", 2], ["aS", "=", 2], ["aa", "&&", 2], ["ad", "&", 1], ["an", "&", 2],
  ["at", "alignof ", 1], ["aw", "co_await ", 1], ["az", "alignof ", 1], ["cc", "const_cast", 2],
  ["cl", "()", 2], ["cm", ",", 2], ["co", "~", 1], ["dV", "/=", 2], ["dX", "[...]=", 3],
  ["da", "delete[] ", 1], ["dc", "dynamic_cast", 2], ["de", "*", 1], ["di", "=", 2],
  ["dl", "delete ", 1], ["ds", ".*", 2], ["dt", ".", 2], ["dv", "/", 2], ["dx", "]=", 2],
  ["eO", "^=", 2], ["eo", "^", 2], ["eq", "==", 2], ["fL", "...", 3], ["fR", "...", 3],
  ["fl", "...", 2], ["fr", "...", 2], ["ge", ">=", 2], ["gs", "::", 1], ["gt", ">", 2],
  ["ix", "[]", 2], ["lS", "<<=", 2], ["le", "<=", 2], ["li", 'operator"" ', 1], ["ls", "<<", 2],
  ["lt", "<", 2], ["mI", "-=", 2], ["mL", "*=", 2], ["mi", "-", 2], ["ml", "*", 2],
  ["mm", "--", 1], ["na", "new[]", 3], ["ne", "!=", 2], ["ng", "-", 1], ["nt", "!", 1],
  ["nw", "new", 3], ["nx", "noexcept", 1], ["oR", "|=", 2], ["oo", "||", 2], ["or", "|", 2], ["pL", "+=", 2],
  ["pl", "+", 2], ["pm", "->*", 2], ["pp", "++", 1], ["ps", "+", 1], ["pt", "->", 2],
  ["qu", "?", 3], ["rM", "%=", 2], ["rS", ">>=", 2], ["rc", "reinterpret_cast", 2],
  ["rm", "%", 2], ["rs", ">>", 2], ["sP", "sizeof...", 1], ["sZ", "sizeof...", 1],
  ["sc", "static_cast", 2], ["ss", "<=>", 2], ["st", "sizeof ", 1], ["sz", "sizeof ", 1],
  ["tr", "throw", 0], ["tw", "throw ", 1],
] as [string, string, number][]) {
  OPS[code] = { code, name, args };
}

interface StdSub {
  full: string;
  lastName?: string;
}
// c++filt prints the standard abbreviations in their full ("verbose") form.
const STD_SUBS: Record<string, StdSub> = {
  t: { full: "std" },
  a: { full: "std::allocator", lastName: "allocator" },
  b: { full: "std::basic_string", lastName: "basic_string" },
  s: { full: "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", lastName: "basic_string" },
  i: { full: "std::basic_istream<char, std::char_traits<char> >", lastName: "basic_istream" },
  o: { full: "std::basic_ostream<char, std::char_traits<char> >", lastName: "basic_ostream" },
  d: { full: "std::basic_iostream<char, std::char_traits<char> >", lastName: "basic_iostream" },
};

const MAX_DEPTH = 400;

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isLower(c: string): boolean {
  return c >= "a" && c <= "z";
}
function isUpper(c: string): boolean {
  return c >= "A" && c <= "Z";
}

function nameNode(s: string): Node {
  const n = mk(K.Name);
  n.s = s;
  return n;
}

export class Parser {
  private pos = 0;
  private subs: Node[] = [];
  private lastName: Node | null = null;
  private depth = 0;
  private isExpression = false;
  private isConversion = false;
  /** 1: try the new unresolved-name syntax; -1: tried it; 0: old syntax only. */
  unresolvedState: number;

  constructor(
    private readonly str: string,
    unresolvedState = 1,
  ) {
    this.unresolvedState = unresolvedState;
  }

  private peek(off = 0): string {
    return this.str.charAt(this.pos + off);
  }
  private next(): string {
    const c = this.str.charAt(this.pos);
    if (c !== "") this.pos++;
    return c;
  }
  private check(c: string): boolean {
    if (this.str.charAt(this.pos) === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(c: string): void {
    if (!this.check(c)) fail();
  }
  get atEnd(): boolean {
    return this.pos >= this.str.length;
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) fail();
  }
  private leave(): void {
    this.depth--;
  }
  private addSub(n: Node): void {
    if (this.subs.length >= this.str.length) fail();
    this.subs.push(n);
  }

  // <mangled-name> ::= _Z <encoding> [<clone-suffix>]*
  mangledName(topLevel: boolean): Node {
    if (!this.check("_") && topLevel) fail();
    this.expect("Z");
    let p = this.encoding(topLevel);
    if (topLevel) {
      while (this.peek() === "." && (isLower(this.peek(1)) || this.peek(1) === "_" || isDigit(this.peek(1)))) {
        p = this.cloneSuffix(p);
      }
    }
    return p;
  }

  private cloneSuffix(enc: Node): Node {
    const s = this.str;
    const start = this.pos;
    let p = start;
    if (s[p] === "." && (isLower(s.charAt(p + 1)) || isDigit(s.charAt(p + 1)) || s.charAt(p + 1) === "_")) {
      p += 2;
      while (p < s.length && (isLower(s[p]!) || isDigit(s[p]!) || s[p] === "_")) p++;
    }
    while (s.charAt(p) === "." && isDigit(s.charAt(p + 1))) {
      p += 2;
      while (p < s.length && isDigit(s[p]!)) p++;
    }
    this.pos = p;
    return mk(K.Clone, enc, nameNode(s.slice(start, p)));
  }

  private encoding(topLevel: boolean): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "G" || c === "T") return this.specialName();
      const name = this.name();
      const c2 = this.peek();
      if (c2 === "" || c2 === "E") return name;
      const ftype = this.bareFunctionType(hasReturnType(name));
      if (!topLevel && name.k === K.LocalName && ftype.k === K.FunctionType) ftype.l = null;
      return mk(K.TypedName, name, ftype);
    } finally {
      this.leave();
    }
  }

  private abiTags(n: Node): Node {
    const hold = this.lastName;
    while (this.peek() === "B") {
      this.pos++;
      n = mk(K.TaggedName, n, this.sourceName());
    }
    this.lastName = hold;
    return n;
  }

  private name(): Node {
    this.enter();
    try {
      const c = this.peek();
      switch (c) {
        case "N":
          return this.nestedName();
        case "Z":
          return this.localName();
        case "U":
          return this.unqualifiedName();
        case "S": {
          let dc: Node;
          let subst: boolean;
          if (this.peek(1) !== "t") {
            dc = this.substitution(false);
            subst = true;
          } else {
            this.pos += 2;
            dc = this.unqualifiedName(nameNode("std"));
            subst = false;
          }
          if (this.peek() === "I") {
            if (!subst) this.addSub(dc);
            const t = mk(K.Template, dc);
            t.list = this.templateArgs();
            dc = t;
          }
          return dc;
        }
        default: {
          let dc = this.unqualifiedName();
          if (this.peek() === "I") {
            this.addSub(dc);
            const t = mk(K.Template, dc);
            t.list = this.templateArgs();
            dc = t;
          }
          return dc;
        }
      }
    } finally {
      this.leave();
    }
  }

  private nestedName(): Node {
    this.expect("N");
    const quals = this.cvQualifiers(true);
    let rqual: Node | null = null;
    if (this.peek() === "R" || this.peek() === "O") {
      rqual = mk(this.next() === "R" ? K.ReferenceThis : K.RvalueReferenceThis);
    }
    let ret = this.prefix(true);
    ret = wrapQuals(quals, ret);
    if (rqual) {
      rqual.l = ret;
      ret = rqual;
    }
    this.expect("E");
    return ret;
  }

  private prefix(substable: boolean): Node {
    let ret: Node | null = null;
    for (;;) {
      const c = this.peek();
      if (c === "D" && (this.peek(1) === "T" || this.peek(1) === "t")) {
        if (ret) fail();
        ret = this.type();
      } else if (c === "I") {
        if (ret === null) fail();
        const t = mk(K.Template, ret);
        t.list = this.templateArgs();
        ret = t;
      } else if (c === "T") {
        if (ret) fail();
        ret = this.templateParam();
      } else if (c === "M") {
        this.pos++;
        continue;
      } else {
        if (c === "S") {
          if (ret) fail();
          ret = this.substitution(true);
          continue;
        }
        ret = this.unqualifiedName(ret);
      }
      if (this.peek() === "E") break;
      if (substable) this.addSub(ret);
    }
    return ret;
  }

  private unqualifiedName(scope: Node | null = null): Node {
    this.enter();
    try {
      const c = this.peek();
      let ret: Node;
      if (isDigit(c)) {
        ret = this.sourceName();
      } else if (isLower(c)) {
        const wasExpr = this.isExpression;
        if (c === "o" && this.peek(1) === "n") {
          this.pos += 2;
          this.isExpression = false;
        }
        try {
          ret = this.operatorName();
        } finally {
          this.isExpression = wasExpr;
        }
        if (ret.k === K.Operator && ret.op!.code === "li") {
          ret = mk(K.Unary, ret, this.sourceName());
        }
      } else if (c === "C" || c === "D") {
        ret = this.ctorDtorName();
      } else if (c === "L") {
        this.pos++;
        ret = this.sourceName();
        this.discriminator();
      } else if (c === "U") {
        const c2 = this.peek(1);
        if (c2 === "l") ret = this.lambda();
        else if (c2 === "t") ret = this.unnamedType();
        else fail();
      } else {
        fail();
      }
      if (this.peek() === "B") ret = this.abiTags(ret);
      if (scope) ret = mk(K.QualName, scope, ret);
      return ret;
    } finally {
      this.leave();
    }
  }

  private sourceName(): Node {
    const len = this.number();
    if (len <= 0) fail();
    const ret = this.identifier(len);
    this.lastName = ret;
    return ret;
  }

  private number(): number {
    let neg = false;
    if (this.peek() === "n") {
      neg = true;
      this.pos++;
    }
    let v = 0;
    for (;;) {
      const c = this.peek();
      if (!isDigit(c)) return neg ? -v : v;
      const d = c.charCodeAt(0) - 48;
      if (v > (0x7fffffff - d) / 10) return -1;
      v = v * 10 + d;
      this.pos++;
    }
  }

  private identifier(len: number): Node {
    if (this.str.length - this.pos < len) fail();
    const s = this.str.slice(this.pos, this.pos + len);
    this.pos += len;
    if (len >= 10 && s.startsWith("_GLOBAL_")) {
      const c = s[8];
      if ((c === "." || c === "_" || c === "$") && s[9] === "N") return nameNode("(anonymous namespace)");
    }
    return nameNode(s);
  }

  private operatorName(): Node {
    const c1 = this.next();
    const c2 = this.next();
    if (c1 === "v" && isDigit(c2)) {
      const n = mk(K.ExtendedOperator, this.sourceName());
      n.n = c2.charCodeAt(0) - 48;
      return n;
    }
    if (c1 === "c" && c2 === "v") {
      const was = this.isConversion;
      this.isConversion = !this.isExpression;
      const t = this.type();
      const res = mk(this.isConversion ? K.Conversion : K.Cast, t);
      this.isConversion = was;
      return res;
    }
    const op = OPS[c1 + c2];
    if (!op) fail();
    const n = mk(K.Operator);
    n.op = op;
    return n;
  }

  private specialName(): Node {
    if (this.check("T")) {
      const c = this.next();
      switch (c) {
        case "V":
          return mk(K.Vtable, this.type());
        case "T":
          return mk(K.Vtt, this.type());
        case "I":
          return mk(K.Typeinfo, this.type());
        case "S":
          return mk(K.TypeinfoName, this.type());
        case "h":
          this.callOffset("h");
          return mk(K.Thunk, this.encoding(false));
        case "v":
          this.callOffset("v");
          return mk(K.VirtualThunk, this.encoding(false));
        case "c":
          this.callOffset("");
          this.callOffset("");
          return mk(K.CovariantThunk, this.encoding(false));
        case "C": {
          const derived = this.type();
          const off = this.number();
          if (off < 0) fail();
          this.expect("_");
          const base = this.type();
          return mk(K.ConstructionVtable, base, derived);
        }
        case "F":
          return mk(K.TypeinfoFn, this.type());
        case "H":
          return mk(K.TlsInit, this.name());
        case "W":
          return mk(K.TlsWrapper, this.name());
        case "A":
          return mk(K.TparmObj, this.templateArg());
        default:
          fail();
      }
    }
    if (this.check("G")) {
      const c = this.next();
      switch (c) {
        case "V":
          return mk(K.Guard, this.name());
        case "R": {
          const name = this.name();
          const num = mk(K.Number);
          num.n = this.number();
          return mk(K.RefTemp, name, num);
        }
        case "A":
          return mk(K.HiddenAlias, this.encoding(false));
        case "T":
          if (this.next() === "n") return mk(K.NontransactionClone, this.encoding(false));
          return mk(K.TransactionClone, this.encoding(false));
        default:
          fail();
      }
    }
    fail();
  }

  private callOffset(c: string): void {
    if (c === "") c = this.next();
    if (c === "h") this.number();
    else if (c === "v") {
      this.number();
      this.expect("_");
      this.number();
    } else fail();
    this.expect("_");
  }

  private ctorDtorName(): Node {
    const last = this.lastName;
    if (this.peek() === "C") {
      let inheriting = false;
      if (this.peek(1) === "I") {
        inheriting = true;
        this.pos++;
      }
      const k = this.peek(1);
      if (k < "1" || k > "5") fail();
      this.pos += 2;
      if (inheriting) this.type();
      const name = this.lastName;
      if (!name) fail();
      void last;
      return mk(K.Ctor, name);
    }
    if (this.peek() === "D") {
      const k = this.peek(1);
      if (k !== "0" && k !== "1" && k !== "2" && k !== "4" && k !== "5") fail();
      this.pos += 2;
      if (!this.lastName) fail();
      return mk(K.Dtor, this.lastName);
    }
    fail();
  }

  private static readonly TYPE_QUAL_D = new Set(["x", "o", "O", "w"]);

  private nextIsTypeQual(): boolean {
    const c = this.peek();
    if (c === "r" || c === "V" || c === "K") return true;
    return c === "D" && Parser.TYPE_QUAL_D.has(this.peek(1));
  }

  /** Parses CV-qualifiers (and function qualifiers); returns them outermost first. */
  private cvQualifiers(memberFn: boolean): Node[] {
    const quals: Node[] = [];
    while (this.nextIsTypeQual()) {
      const c = this.next();
      let q: Node;
      if (c === "r") q = mk(memberFn ? K.RestrictThis : K.Restrict);
      else if (c === "V") q = mk(memberFn ? K.VolatileThis : K.Volatile);
      else if (c === "K") q = mk(memberFn ? K.ConstThis : K.Const);
      else {
        const c2 = this.next();
        if (c2 === "x") q = mk(K.TransactionSafe);
        else if (c2 === "o" || c2 === "O") {
          q = mk(K.Noexcept);
          if (c2 === "O") {
            q.r = this.expression();
            this.expect("E");
          }
        } else {
          q = mk(K.ThrowSpec);
          q.list = this.parmList();
          this.expect("E");
        }
      }
      quals.push(q);
    }
    if (!memberFn && this.peek() === "F") {
      for (const q of quals) {
        if (q.k === K.Restrict) q.k = K.RestrictThis;
        else if (q.k === K.Volatile) q.k = K.VolatileThis;
        else if (q.k === K.Const) q.k = K.ConstThis;
      }
    }
    return quals;
  }

  type(): Node {
    this.enter();
    try {
      return this.typeInner();
    } finally {
      this.leave();
    }
  }

  private typeInner(): Node {
    if (this.nextIsTypeQual()) {
      const quals = this.cvQualifiers(false);
      let inner: Node = this.peek() === "F" ? this.functionType() : this.type();
      let ret: Node;
      if (inner.k === K.ReferenceThis || inner.k === K.RvalueReferenceThis) {
        // Move the ref-qualifier outside the cv-qualifiers so they print in order.
        const fn = inner.l!;
        inner.l = wrapQuals(quals, fn);
        ret = inner;
      } else {
        ret = wrapQuals(quals, inner);
      }
      this.addSub(ret);
      return ret;
    }
    let canSubst = true;
    let ret: Node;
    const c = this.peek();
    switch (c) {
      case "a": case "b": case "c": case "d": case "e": case "f": case "g": case "h": case "i": case "j":
      case "l": case "m": case "n": case "o": case "s": case "t": case "v": case "w": case "x": case "y": case "z": {
        ret = mk(K.Builtin);
        ret.b = BUILTINS[c];
        canSubst = false;
        this.pos++;
        break;
      }
      case "u":
        this.pos++;
        ret = mk(K.VendorType, this.sourceName());
        break;
      case "F":
        ret = this.functionType();
        break;
      case "A":
        ret = this.arrayType();
        break;
      case "M":
        ret = this.ptrMemType();
        break;
      case "T": {
        ret = this.templateParam();
        if (this.peek() === "I") {
          if (!this.isConversion) {
            this.addSub(ret);
            const t = mk(K.Template, ret);
            t.list = this.templateArgs();
            ret = t;
          } else {
            const savePos = this.pos;
            const saveSubs = this.subs.length;
            const saveLast = this.lastName;
            const args = this.templateArgs();
            if (this.peek() === "I") {
              this.addSub(ret);
              const t = mk(K.Template, ret);
              t.list = args;
              ret = t;
            } else {
              this.pos = savePos;
              this.subs.length = saveSubs;
              this.lastName = saveLast;
            }
          }
        }
        break;
      }
      case "S": {
        const c2 = this.peek(1);
        if (isDigit(c2) || c2 === "_" || isUpper(c2)) {
          ret = this.substitution(false);
          if (this.peek() === "I") {
            const t = mk(K.Template, ret);
            t.list = this.templateArgs();
            ret = t;
          } else canSubst = false;
        } else {
          ret = this.name();
          if (ret.k === K.SubStd) canSubst = false;
        }
        break;
      }
      case "O":
        this.pos++;
        ret = mk(K.RvalueReference, this.type());
        break;
      case "P":
        this.pos++;
        ret = mk(K.Pointer, this.type());
        break;
      case "R":
        this.pos++;
        ret = mk(K.Reference, this.type());
        break;
      case "C":
        this.pos++;
        ret = mk(K.Complex, this.type());
        break;
      case "G":
        this.pos++;
        ret = mk(K.Imaginary, this.type());
        break;
      case "U": {
        this.pos++;
        let q = this.sourceName();
        if (this.peek() === "I") {
          const t = mk(K.Template, q);
          t.list = this.templateArgs();
          q = t;
        }
        ret = mk(K.VendorTypeQual, this.type(), q);
        break;
      }
      case "D": {
        canSubst = false;
        this.pos++;
        const c2 = this.next();
        switch (c2) {
          case "T":
          case "t":
            ret = mk(K.Decltype, this.expression());
            this.expect("E");
            canSubst = true;
            break;
          case "p":
            ret = mk(K.PackExpansion, this.type());
            canSubst = true;
            break;
          case "a":
            ret = nameNode("auto");
            break;
          case "c":
            ret = nameNode("decltype(auto)");
            break;
          case "F": {
            // _FloatN / _FloatNx / std::bfloat16_t
            if (this.peek() === "1" && this.peek(1) === "6" && this.peek(2) === "b") {
              this.pos += 3;
              ret = mk(K.Builtin);
              ret.b = B("std::bfloat16_t", Print.Float);
              break;
            }
            const n = this.number();
            if (n <= 0) fail();
            let suffix = "";
            if (this.peek() === "x") {
              this.pos++;
              suffix = "x";
            } else this.expect("_");
            ret = mk(K.Builtin);
            ret.b = B(`_Float${n}${suffix}`, Print.Float);
            break;
          }
          case "v":
            ret = this.vectorType();
            canSubst = true;
            break;
          default: {
            const b = D_BUILTINS[c2];
            if (!b) fail();
            ret = mk(K.Builtin);
            ret.b = b;
          }
        }
        break;
      }
      default:
        // <class-enum-type>: digits, N, Z, L, and (as c++filt reads it) any
        // other name start such as an operator name.
        ret = this.name();
        break;
    }
    if (canSubst) this.addSub(ret);
    return ret;
  }

  private functionType(): Node {
    this.enter();
    try {
      this.expect("F");
      if (this.peek() === "Y") this.pos++;
      let ret = this.bareFunctionType(true);
      const c = this.peek();
      if (c === "R" || c === "O") {
        this.pos++;
        ret = mk(c === "R" ? K.ReferenceThis : K.RvalueReferenceThis, ret);
      }
      this.expect("E");
      return ret;
    } finally {
      this.leave();
    }
  }

  private parmList(): (Node | null)[] {
    const list: (Node | null)[] = [];
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "E" || c === ".") break;
      if ((c === "R" || c === "O") && this.peek(1) === "E") break;
      list.push(this.type());
    }
    if (list.length === 0) fail();
    if (list.length === 1 && list[0]!.k === K.Builtin && list[0]!.b!.print === Print.Void) list[0] = null;
    return list;
  }

  private bareFunctionType(hasRet: boolean): Node {
    if (this.peek() === "J") {
      this.pos++;
      hasRet = true;
    }
    const ret = hasRet ? this.type() : null;
    const fn = mk(K.FunctionType, ret);
    fn.list = this.parmList();
    return fn;
  }

  private arrayType(): Node {
    this.expect("A");
    const c = this.peek();
    let dim: Node | null = null;
    if (c === "_") dim = null;
    else if (isDigit(c)) {
      const start = this.pos;
      while (isDigit(this.peek())) this.pos++;
      dim = nameNode(this.str.slice(start, this.pos));
    } else {
      dim = this.expression();
    }
    this.expect("_");
    return mk(K.ArrayType, dim, this.type());
  }

  private vectorType(): Node {
    let dim: Node;
    if (this.peek() === "_") {
      this.pos++;
      dim = this.expression();
    } else {
      dim = mk(K.Number);
      dim.n = this.number();
    }
    this.expect("_");
    return mk(K.VectorType, dim, this.type());
  }

  private ptrMemType(): Node {
    this.expect("M");
    const cls = this.type();
    const mem = this.type();
    return mk(K.PtrMem, cls, mem);
  }

  private compactNumber(): number {
    let num: number;
    if (this.peek() === "_") num = 0;
    else if (this.peek() === "n") return -1;
    else {
      const n = this.number();
      if (n < 0) return -1;
      num = n + 1;
    }
    if (!this.check("_")) return -1;
    return num;
  }

  private templateParam(): Node {
    this.expect("T");
    const p = this.compactNumber();
    if (p < 0) fail();
    const n = mk(K.TemplateParam);
    n.n = p;
    return n;
  }

  private templateArgs(): (Node | null)[] {
    const c = this.peek();
    if (c !== "I" && c !== "J") fail();
    this.pos++;
    return this.templateArgs1();
  }

  private templateArgs1(): (Node | null)[] {
    const hold = this.lastName;
    if (this.check("E")) return [];
    const list: (Node | null)[] = [];
    for (;;) {
      list.push(this.templateArg());
      if (this.check("E")) break;
      if (this.atEnd) fail();
    }
    this.lastName = hold;
    return list;
  }

  private templateArg(): Node {
    this.enter();
    try {
      switch (this.peek()) {
        case "X": {
          this.pos++;
          const e = this.expression();
          this.expect("E");
          return e;
        }
        case "L":
          return this.exprPrimary();
        case "I":
        case "J": {
          const n = mk(K.TemplateArgList);
          n.list = this.templateArgs();
          return n;
        }
        default:
          return this.type();
      }
    } finally {
      this.leave();
    }
  }

  private exprList(term: string): Node {
    const n = mk(K.ArgList);
    n.list = [];
    if (this.check(term)) return n;
    for (;;) {
      n.list.push(this.expression());
      if (this.check(term)) break;
      if (this.atEnd) fail();
    }
    return n;
  }

  expression(): Node {
    const was = this.isExpression;
    this.isExpression = true;
    try {
      return this.expression1();
    } finally {
      this.isExpression = was;
    }
  }

  private expression1(): Node {
    this.enter();
    try {
      return this.expressionInner();
    } finally {
      this.leave();
    }
  }

  private expressionInner(): Node {
    const c = this.peek();
    const c2 = this.peek(1);
    if (c === "L") return this.exprPrimary();
    if (c === "T") return this.templateParam();
    if (c === "s" && c2 === "r") return this.unresolvedName();
    if (c === "s" && c2 === "p") {
      this.pos += 2;
      return mk(K.PackExpansion, this.expression1());
    }
    if (c === "f" && c2 === "p") {
      this.pos += 2;
      let index: number;
      if (this.peek() === "T") {
        this.pos++;
        index = 0;
      } else {
        index = this.compactNumber();
        if (index < 0) fail();
        index++;
      }
      const n = mk(K.FunctionParam);
      n.n = index;
      return n;
    }
    if (isDigit(c) || (c === "o" && c2 === "n")) {
      if (c === "o") this.pos += 2;
      const name = this.unqualifiedName();
      if (this.peek() === "I") {
        const t = mk(K.Template, name);
        t.list = this.templateArgs();
        return t;
      }
      return name;
    }
    if ((c === "i" || c === "t") && c2 === "l") {
      this.pos += 2;
      const type = c === "t" ? this.type() : null;
      if (this.peek() === "" || this.peek(1) === "") fail();
      return mk(K.InitializerList, type, this.exprList("E"));
    }
    const op = this.operatorName();
    let code: string | null = null;
    let args: number;
    if (op.k === K.Operator) {
      code = op.op!.code;
      if (code === "st") return mk(K.Unary, op, this.type());
      args = op.op!.args;
    } else if (op.k === K.ExtendedOperator) {
      args = op.n!;
    } else if (op.k === K.Cast) {
      args = 1;
    } else fail();
    switch (args) {
      case 0:
        return mk(K.Nullary, op);
      case 1: {
        let suffix = false;
        if (code && (code[0] === "p" || code[0] === "m") && code[1] === code[0]) suffix = !this.check("_");
        let operand: Node;
        if (op.k === K.Cast && this.check("_")) operand = this.exprList("E");
        else if (code === "sP") {
          operand = mk(K.TemplateArgList);
          operand.list = this.templateArgs1();
        } else operand = this.expression1();
        if (suffix) operand = mk(K.BinaryArgs, operand, operand);
        return mk(K.Unary, op, operand);
      }
      case 2: {
        if (code === null) fail();
        let left: Node;
        if (isNewCast(code)) left = this.type();
        else if (code[0] === "f") left = this.operatorName();
        else if (code === "di") left = this.unqualifiedName();
        else left = this.expression1();
        let right: Node;
        if (code === "cl") right = this.exprList("E");
        else if ((code === "dt" || code === "pt") && ((this.peek() === "g" && this.peek(1) === "s") || (this.peek() === "s" && this.peek(1) === "r"))) {
          right = this.expression1();
        } else if (code === "dt" || code === "pt") {
          right = this.unqualifiedName();
          if (this.peek() === "I") {
            const t = mk(K.Template, right);
            t.list = this.templateArgs();
            right = t;
          }
        } else right = this.expression1();
        return mk(K.Binary, op, mk(K.BinaryArgs, left, right));
      }
      case 3: {
        if (code === null) fail();
        let first: Node;
        let second: Node;
        let third: Node | null;
        if (code === "qu" || code === "dX") {
          first = this.expression1();
          second = this.expression1();
          third = this.expression1();
        } else if (code[0] === "f") {
          first = this.operatorName();
          second = this.expression1();
          third = this.expression1();
        } else if (code[0] === "n") {
          if (code[1] !== "w" && code[1] !== "a") fail();
          first = this.exprList("_");
          second = this.type();
          if (this.check("E")) third = null;
          else if (this.peek() === "p" && this.peek(1) === "i") {
            this.pos += 2;
            third = this.exprList("E");
          } else if (this.peek() === "i" && this.peek(1) === "l") third = this.expression1();
          else fail();
        } else fail();
        return mk(K.Trinary, op, mk(K.TrinaryArg1, first, mk(K.TrinaryArg2, second, third)));
      }
      default:
        fail();
    }
  }

  // <unresolved-name> after "sr". The newer "sr <qualifier-level>+ E <name>"
  // form is ambiguous with the old "sr <type> <name>"; like c++filt, try the
  // new reading first and re-run the whole parse with the old one on failure.
  private unresolvedName(): Node {
    this.pos += 2;
    const c = this.peek();
    let type: Node;
    if (this.unresolvedState !== 0 && (isDigit(c) || isLower(c) || c === "C" || c === "U" || c === "L")) {
      this.unresolvedState = -1;
      type = this.prefix(false);
      if (this.peek() === "E") this.pos++;
    } else type = this.type();
    let name = this.unqualifiedName(type);
    if (this.peek() === "I") {
      const t = mk(K.Template, name);
      t.list = this.templateArgs();
      name = t;
    }
    return name;
  }

  private exprPrimary(): Node {
    this.expect("L");
    let ret: Node;
    if (this.peek() === "_" || this.peek() === "Z") {
      ret = this.mangledName(false);
    } else {
      const type = this.type();
      if (type.k === K.Builtin && type.b!.name === "decltype(nullptr)" && this.peek() === "E") {
        this.pos++;
        return type;
      }
      let k = K.Literal;
      if (this.peek() === "n") {
        k = K.LiteralNeg;
        this.pos++;
      }
      const start = this.pos;
      while (this.peek() !== "E") {
        if (this.atEnd) fail();
        this.pos++;
      }
      if (this.pos === start) fail();
      ret = mk(k, type, nameNode(this.str.slice(start, this.pos)));
    }
    this.expect("E");
    return ret;
  }

  private localName(): Node {
    this.expect("Z");
    const fn = this.encoding(false);
    this.expect("E");
    let name: Node;
    if (this.peek() === "s") {
      this.pos++;
      this.discriminator();
      name = nameNode("string literal");
    } else {
      let num = -1;
      if (this.peek() === "d") {
        this.pos++;
        num = this.compactNumber();
        if (num < 0) fail();
      }
      name = this.name();
      if (name.k !== K.Lambda && name.k !== K.UnnamedType) this.discriminator();
      if (num >= 0) {
        const d = mk(K.DefaultArg, name);
        d.n = num;
        name = d;
      }
    }
    if (fn.k === K.TypedName && fn.r!.k === K.FunctionType) fn.r!.l = null;
    return mk(K.LocalName, fn, name);
  }

  private discriminator(): void {
    if (this.peek() !== "_") return;
    this.pos++;
    let underscores = 1;
    if (this.peek() === "_") {
      underscores++;
      this.pos++;
    }
    const d = this.number();
    if (d < 0) fail();
    if (underscores > 1 && d >= 10) this.expect("_");
  }

  private lambda(): Node {
    this.expect("U");
    this.expect("l");
    const params = this.parmList();
    this.expect("E");
    const num = this.compactNumber();
    if (num < 0) fail();
    const n = mk(K.Lambda);
    n.list = params;
    n.n = num;
    return n;
  }

  private unnamedType(): Node {
    this.expect("U");
    this.expect("t");
    const num = this.compactNumber();
    if (num < 0) fail();
    const n = mk(K.UnnamedType);
    n.n = num;
    this.addSub(n);
    return n;
  }

  private substitution(prefix: boolean): Node {
    this.expect("S");
    const c = this.next();
    if (c === "_" || isDigit(c) || isUpper(c)) {
      let id = 0;
      if (c !== "_") {
        let ch = c;
        for (;;) {
          let d: number;
          if (isDigit(ch)) d = ch.charCodeAt(0) - 48;
          else if (isUpper(ch)) d = ch.charCodeAt(0) - 55;
          else fail();
          id = id * 36 + d;
          if (id > 0xffffffff) fail();
          ch = this.next();
          if (ch === "_") break;
        }
        id++;
      }
      if (id >= this.subs.length) fail();
      return this.subs[id]!;
    }
    void prefix;
    const std = STD_SUBS[c];
    if (!std) fail();
    if (std.lastName !== undefined) {
      const ln = mk(K.SubStd);
      ln.s = std.lastName;
      this.lastName = ln;
    }
    let dc = mk(K.SubStd);
    dc.s = std.full;
    if (this.peek() === "B") {
      dc = this.abiTags(dc);
      this.addSub(dc);
    }
    return dc;
  }
}

function isNewCast(code: string): boolean {
  return code[1] === "c" && (code[0] === "s" || code[0] === "d" || code[0] === "c" || code[0] === "r");
}

function wrapQuals(quals: Node[], inner: Node): Node {
  let ret = inner;
  for (let i = quals.length - 1; i >= 0; i--) {
    quals[i]!.l = ret;
    ret = quals[i]!;
  }
  return ret;
}

function isCtorDtorOrConversion(n: Node | null): boolean {
  while (n) {
    switch (n.k) {
      case K.QualName:
      case K.LocalName:
        n = n.r;
        continue;
      case K.Ctor:
      case K.Dtor:
      case K.Conversion:
        return true;
      default:
        return false;
    }
  }
  return false;
}

function hasReturnType(n: Node | null): boolean {
  while (n) {
    if (n.k === K.LocalName) {
      n = n.r;
      continue;
    }
    if (n.k === K.Template) return !isCtorDtorOrConversion(n.l);
    if (isFnQual(n.k)) {
      n = n.l;
      continue;
    }
    return false;
  }
  return false;
}
