// Printer for the demangler's component tree, producing GNU c++filt's text.
//
// C++ declarator syntax puts parts of a type on both sides of the name
// (`int (*f<int>())[3]`), so the printer keeps a stack of pending "modifiers"
// (pointers, references, cv-qualifiers, function and array types, the name
// being declared). A modifier that a nested function or array type needs to
// print inside its parentheses is printed there and marked done; the rest
// are printed after the inner type. Template parameters (T_) are resolved at
// print time against the stack of enclosing templates.

import { K, type Node, Print, isFnQual } from "./ast.ts";

class PrintFail extends Error {}

interface TemplateScope {
  tmpl: Node;
  next: TemplateScope | null;
}

interface Mod {
  mod: Node;
  printed: boolean;
  templates: TemplateScope | null;
  next: Mod | null;
}

const MAX_RECURSION = 1024;
const MAX_OUTPUT = 1 << 20;

export class Printer {
  private out: string[] = [];
  private outLen = 0;
  private last = "";
  private templates: TemplateScope | null = null;
  private modifiers: Mod | null = null;
  private packIndex = 0;
  private isLambdaArg = 0;
  private currentTemplate: Node | null = null;
  private recursion = 0;

  static print(n: Node): string | undefined {
    const p = new Printer();
    try {
      p.comp(n);
    } catch (e) {
      if (e instanceof PrintFail) return undefined;
      throw e;
    }
    return p.out.join("");
  }

  private fail(): never {
    throw new PrintFail();
  }

  private append(s: string): void {
    if (s.length === 0) return;
    this.out.push(s);
    this.outLen += s.length;
    if (this.outLen > MAX_OUTPUT) this.fail();
    this.last = s[s.length - 1]!;
  }

  private mark(): number {
    return this.out.length;
  }

  /** Drop what was appended since `m` (used to undo a ", " before an empty pack). */
  private truncate(m: number): void {
    while (this.out.length > m) {
      const s = this.out.pop()!;
      this.outLen -= s.length;
    }
    // c++filt does not reset its last-character memory here: it stays ' ',
    // so a following '>' gets no separating space (`A<B<int>>` after an
    // empty pack). Keep that quirk.
  }

  private comp(n: Node | null): void {
    if (n === null || n.printing > 1 || this.recursion > MAX_RECURSION) this.fail();
    n.printing++;
    this.recursion++;
    try {
      this.compInner(n);
    } finally {
      n.printing--;
      this.recursion--;
    }
  }

  // c++filt prints a list as "head, rest" and drops that ", " only when the
  // whole rest printed nothing (empty packs at the end), so an empty pack in
  // the middle still shows as ", ,". Equivalently: print everything, then cut
  // the separators after the last element that printed something.
  private list(items: (Node | null)[] | undefined): void {
    if (!items || items.length === 0) return;
    let end = this.mark();
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.append(", ");
      const before = this.mark();
      const it = items[i]!;
      if (it !== null) this.comp(it);
      if (this.mark() !== before) end = this.mark();
    }
    if (this.mark() !== end) this.truncate(end);
  }

  private lookupTemplateArg(param: Node): Node | null {
    if (this.templates === null) this.fail();
    const args = this.templates.tmpl.list!;
    const i = param.n!;
    if (i < 0 || i >= args.length) return null;
    return args[i] ?? null;
  }

  private indexPack(pack: Node, i: number): Node | null {
    const items = pack.list!;
    if (i < 0) return pack;
    if (i >= items.length) return null;
    return items[i] ?? null;
  }

  private findPack(n: Node | null): Node | null {
    if (n === null) return null;
    switch (n.k) {
      case K.TemplateParam: {
        const a = this.lookupTemplateArg(n);
        return a && a.k === K.TemplateArgList ? a : null;
      }
      case K.PackExpansion:
      case K.Lambda:
      case K.Name:
      case K.TaggedName:
      case K.Operator:
      case K.Builtin:
      case K.SubStd:
      case K.FunctionParam:
      case K.UnnamedType:
      case K.FixedType:
      case K.DefaultArg:
      case K.Number:
        return null;
      case K.ExtendedOperator:
      case K.Ctor:
      case K.Dtor:
        return this.findPack(n.l);
      default: {
        const a = this.findPack(n.l);
        if (a) return a;
        const b = this.findPack(n.r);
        if (b) return b;
        if (n.list) {
          for (const it of n.list) {
            const c = this.findPack(it);
            if (c) return c;
          }
        }
        return null;
      }
    }
  }

  private subexpr(n: Node): void {
    const simple = n.k === K.Name || n.k === K.QualName || n.k === K.InitializerList || n.k === K.FunctionParam;
    if (!simple) this.append("(");
    this.comp(n);
    if (!simple) this.append(")");
  }

  private exprOp(op: Node): void {
    if (op.k === K.Operator) this.append(op.op!.name);
    else this.comp(op);
  }

  private pushMod(mod: Node): Mod {
    const m: Mod = { mod, printed: false, templates: this.templates, next: this.modifiers };
    this.modifiers = m;
    return m;
  }

  private compInner(dc: Node): void {
    switch (dc.k) {
      case K.Name:
        this.append(dc.s!);
        return;
      case K.TaggedName:
        this.comp(dc.l);
        this.append("[abi:");
        this.comp(dc.r);
        this.append("]");
        return;
      case K.QualName:
      case K.LocalName: {
        this.comp(dc.l);
        this.append("::");
        let local = dc.r!;
        if (local.k === K.DefaultArg) {
          this.append(`{default arg#${local.n! + 1}}::`);
          local = local.l!;
        }
        this.comp(local);
        return;
      }
      case K.TypedName:
        return this.typedName(dc);
      case K.Template: {
        const holdCurrent = this.currentTemplate;
        this.currentTemplate = dc;
        const holdMods = this.modifiers;
        this.modifiers = null;
        this.comp(dc.l);
        if (this.last === "<") this.append(" ");
        this.append("<");
        this.list(dc.list);
        if (this.last === ">") this.append(" ");
        this.append(">");
        this.modifiers = holdMods;
        this.currentTemplate = holdCurrent;
        return;
      }
      case K.TemplateParam: {
        if (this.isLambdaArg) {
          this.append(`auto:${dc.n! + 1}`);
          return;
        }
        let a = this.lookupTemplateArg(dc);
        if (a && a.k === K.TemplateArgList) a = this.indexPack(a, this.packIndex);
        if (a === null) this.fail();
        const hold = this.templates!;
        this.templates = hold.next;
        this.comp(a);
        this.templates = hold;
        return;
      }
      case K.TparmObj:
        this.append("template parameter object for ");
        this.comp(dc.l);
        return;
      case K.Ctor:
        this.comp(dc.l);
        return;
      case K.Dtor:
        this.append("~");
        this.comp(dc.l);
        return;
      case K.Vtable:
        return this.prefixed("vtable for ", dc.l);
      case K.Vtt:
        return this.prefixed("VTT for ", dc.l);
      case K.ConstructionVtable:
        this.append("construction vtable for ");
        this.comp(dc.l);
        this.append("-in-");
        this.comp(dc.r);
        return;
      case K.Typeinfo:
        return this.prefixed("typeinfo for ", dc.l);
      case K.TypeinfoName:
        return this.prefixed("typeinfo name for ", dc.l);
      case K.TypeinfoFn:
        return this.prefixed("typeinfo fn for ", dc.l);
      case K.Thunk:
        return this.prefixed("non-virtual thunk to ", dc.l);
      case K.VirtualThunk:
        return this.prefixed("virtual thunk to ", dc.l);
      case K.CovariantThunk:
        return this.prefixed("covariant return thunk to ", dc.l);
      case K.Guard:
        return this.prefixed("guard variable for ", dc.l);
      case K.TlsInit:
        return this.prefixed("TLS init function for ", dc.l);
      case K.TlsWrapper:
        return this.prefixed("TLS wrapper function for ", dc.l);
      case K.RefTemp:
        this.append("reference temporary #");
        this.comp(dc.r);
        this.append(" for ");
        this.comp(dc.l);
        return;
      case K.HiddenAlias:
        return this.prefixed("hidden alias for ", dc.l);
      case K.TransactionClone:
        return this.prefixed("transaction clone for ", dc.l);
      case K.NontransactionClone:
        return this.prefixed("non-transaction clone for ", dc.l);
      case K.SubStd:
        this.append(dc.s!);
        return;
      case K.Restrict:
      case K.Volatile:
      case K.Const: {
        // With arrays the same qualifier can be pushed twice; print it once.
        for (let p = this.modifiers; p !== null; p = p.next) {
          if (!p.printed) {
            const k = p.mod.k;
            if (k !== K.Restrict && k !== K.Volatile && k !== K.Const) break;
            if (k === dc.k) {
              this.comp(dc.l);
              return;
            }
          }
        }
        return this.modifier(dc, null);
      }
      case K.Reference:
      case K.RvalueReference: {
        // Reference collapsing: & + && = &.
        let sub = dc.l!;
        let modInner: Node | null = null;
        let node = dc;
        if (!this.isLambdaArg && sub.k === K.TemplateParam) {
          let a = this.lookupTemplateArg(sub);
          if (a && a.k === K.TemplateArgList) a = this.indexPack(a, this.packIndex);
          if (a === null) this.fail();
          sub = a;
        }
        if (sub.k === K.Reference || sub.k === dc.k) node = sub;
        else if (sub.k === K.RvalueReference) modInner = sub.l;
        return this.modifier(node, modInner);
      }
      case K.VendorTypeQual:
      case K.Pointer:
      case K.Complex:
      case K.Imaginary:
      case K.RestrictThis:
      case K.VolatileThis:
      case K.ConstThis:
      case K.ReferenceThis:
      case K.RvalueReferenceThis:
      case K.TransactionSafe:
      case K.Noexcept:
      case K.ThrowSpec:
        return this.modifier(dc, null);
      case K.Builtin:
        this.append(dc.b!.name);
        return;
      case K.VendorType:
        this.comp(dc.l);
        return;
      case K.FunctionType: {
        if (dc.l !== null) {
          const m = this.pushMod(dc);
          this.comp(dc.l);
          this.modifiers = m.next;
          if (m.printed) return;
          this.append(" ");
        }
        this.functionType(dc, this.modifiers);
        return;
      }
      case K.ArrayType: {
        const hold = this.modifiers;
        const first: Mod = { mod: dc, printed: false, templates: this.templates, next: hold };
        this.modifiers = first;
        const copies: Mod[] = [];
        for (let p = hold; p !== null && (p.mod.k === K.Restrict || p.mod.k === K.Volatile || p.mod.k === K.Const); p = p.next) {
          if (!p.printed) {
            if (copies.length >= 3) this.fail();
            const c: Mod = { mod: p.mod, printed: p.printed, templates: p.templates, next: this.modifiers };
            this.modifiers = c;
            p.printed = true;
            copies.push(c);
          }
        }
        this.comp(dc.r);
        this.modifiers = hold;
        if (first.printed) return;
        for (let i = copies.length - 1; i >= 0; i--) this.mod(copies[i]!.mod);
        this.arrayType(dc, this.modifiers);
        return;
      }
      case K.PtrMem:
      case K.VectorType: {
        const m = this.pushMod(dc);
        this.comp(dc.r);
        if (!m.printed) this.mod(dc);
        this.modifiers = m.next;
        return;
      }
      case K.ArgList:
      case K.TemplateArgList:
        this.list(dc.list);
        return;
      case K.InitializerList:
        if (dc.l) this.comp(dc.l);
        this.append("{");
        this.comp(dc.r);
        this.append("}");
        return;
      case K.Operator: {
        const op = dc.op!;
        this.append("operator");
        if (op.name[0]! >= "a" && op.name[0]! <= "z") this.append(" ");
        this.append(op.name.endsWith(" ") ? op.name.slice(0, -1) : op.name);
        return;
      }
      case K.ExtendedOperator:
        this.append("operator ");
        this.comp(dc.l);
        return;
      case K.Conversion:
        this.append("operator ");
        this.conversion(dc);
        return;
      case K.Nullary:
        this.exprOp(dc.l!);
        return;
      case K.Unary:
        return this.unary(dc);
      case K.Binary:
        return this.binary(dc);
      case K.Trinary:
        return this.trinary(dc);
      case K.Literal:
      case K.LiteralNeg:
        return this.literal(dc);
      case K.Number:
        this.append(String(dc.n));
        return;
      case K.Decltype:
        this.append("decltype (");
        this.comp(dc.l);
        this.append(")");
        return;
      case K.PackExpansion: {
        const a = this.findPack(dc.l);
        if (a === null) {
          this.subexpr(dc.l!);
          this.append("...");
          return;
        }
        const len = a.list!.length;
        for (let i = 0; i < len; i++) {
          this.packIndex = i;
          this.comp(dc.l);
          if (i < len - 1) this.append(", ");
        }
        return;
      }
      case K.FunctionParam:
        this.append(dc.n === 0 ? "this" : `{parm#${dc.n}}`);
        return;
      case K.GlobalCtors:
        return this.prefixed("global constructors keyed to ", dc.l);
      case K.GlobalDtors:
        return this.prefixed("global destructors keyed to ", dc.l);
      case K.Lambda:
        this.append("{lambda(");
        this.isLambdaArg++;
        this.list(dc.list);
        this.isLambdaArg--;
        this.append(`)#${dc.n! + 1}}`);
        return;
      case K.UnnamedType:
        this.append(`{unnamed type#${dc.n! + 1}}`);
        return;
      case K.Clone:
        this.comp(dc.l);
        this.append(" [clone ");
        this.comp(dc.r);
        this.append("]");
        return;
      default:
        this.fail();
    }
  }

  private prefixed(text: string, n: Node | null): void {
    this.append(text);
    this.comp(n);
  }

  private modifier(dc: Node, modInner: Node | null): void {
    const m = this.pushMod(dc);
    this.comp(modInner ?? dc.l);
    if (!m.printed) this.mod(dc);
    this.modifiers = m.next;
  }

  private typedName(dc: Node): void {
    const holdMods = this.modifiers;
    this.modifiers = null;
    const pushed: Mod[] = [];
    let typed: Node | null = dc.l;
    while (typed !== null) {
      if (pushed.length >= 4) this.fail();
      pushed.push(this.pushMod(typed));
      if (!isFnQual(typed.k)) break;
      typed = typed.l;
    }
    if (typed === null) this.fail();
    if (typed.k === K.LocalName) {
      typed = typed.r!;
      if (typed.k === K.DefaultArg) typed = typed.l!;
      while (typed !== null && isFnQual(typed.k)) {
        if (pushed.length >= 4) this.fail();
        // Insert the qualifier just below the name modifier on top.
        const top = pushed[pushed.length - 1]!;
        const q: Mod = { mod: typed, printed: false, templates: this.templates, next: top.next };
        top.next = q;
        pushed.splice(pushed.length - 1, 0, q);
        typed = typed.l;
      }
      if (typed === null) this.fail();
    }
    let pushedTemplate = false;
    if (typed.k === K.Template) {
      this.templates = { tmpl: typed, next: this.templates };
      pushedTemplate = true;
    }
    this.comp(dc.r);
    if (pushedTemplate) this.templates = this.templates!.next;
    for (let i = pushed.length - 1; i >= 0; i--) {
      const m = pushed[i]!;
      if (!m.printed) {
        this.append(" ");
        this.mod(m.mod);
      }
    }
    this.modifiers = holdMods;
  }

  private modList(mods: Mod | null, suffix: boolean): void {
    for (;;) {
      if (mods === null) return;
      if (mods.printed || (!suffix && isFnQual(mods.mod.k))) {
        mods = mods.next;
        continue;
      }
      mods.printed = true;
      const holdT = this.templates;
      this.templates = mods.templates;
      const k = mods.mod.k;
      if (k === K.FunctionType) {
        this.functionType(mods.mod, mods.next);
        this.templates = holdT;
        return;
      }
      if (k === K.ArrayType) {
        this.arrayType(mods.mod, mods.next);
        this.templates = holdT;
        return;
      }
      if (k === K.LocalName) {
        const holdMods = this.modifiers;
        this.modifiers = null;
        this.comp(mods.mod.l);
        this.modifiers = holdMods;
        this.append("::");
        let dc = mods.mod.r!;
        if (dc.k === K.DefaultArg) {
          this.append(`{default arg#${dc.n! + 1}}::`);
          dc = dc.l!;
        }
        while (isFnQual(dc.k)) dc = dc.l!;
        this.comp(dc);
        this.templates = holdT;
        return;
      }
      this.mod(mods.mod);
      this.templates = holdT;
      mods = mods.next;
    }
  }

  private mod(m: Node): void {
    switch (m.k) {
      case K.Restrict:
      case K.RestrictThis:
        this.append(" restrict");
        return;
      case K.Volatile:
      case K.VolatileThis:
        this.append(" volatile");
        return;
      case K.Const:
      case K.ConstThis:
        this.append(" const");
        return;
      case K.TransactionSafe:
        this.append(" transaction_safe");
        return;
      case K.Noexcept:
        this.append(" noexcept");
        if (m.r) {
          this.append("(");
          this.comp(m.r);
          this.append(")");
        }
        return;
      case K.ThrowSpec:
        this.append(" throw");
        if (m.list) {
          this.append("(");
          this.list(m.list);
          this.append(")");
        }
        return;
      case K.VendorTypeQual:
        this.append(" ");
        this.comp(m.r);
        return;
      case K.Pointer:
        this.append("*");
        return;
      case K.ReferenceThis:
        this.append(" &");
        return;
      case K.Reference:
        this.append("&");
        return;
      case K.RvalueReferenceThis:
        this.append(" &&");
        return;
      case K.RvalueReference:
        this.append("&&");
        return;
      case K.Complex:
        this.append(" _Complex");
        return;
      case K.Imaginary:
        this.append(" _Imaginary");
        return;
      case K.PtrMem:
        if (this.last !== "(") this.append(" ");
        this.comp(m.l);
        this.append("::*");
        return;
      case K.TypedName:
        this.comp(m.l);
        return;
      case K.VectorType:
        this.append(" __vector(");
        this.comp(m.l);
        this.append(")");
        return;
      default:
        this.comp(m);
        return;
    }
  }

  private functionType(dc: Node, mods: Mod | null): void {
    let needParen = false;
    let needSpace = false;
    for (let p = mods; p !== null; p = p.next) {
      if (p.printed) break;
      switch (p.mod.k) {
        case K.Pointer:
        case K.Reference:
        case K.RvalueReference:
          needParen = true;
          break;
        case K.Restrict:
        case K.Volatile:
        case K.Const:
        case K.VendorTypeQual:
        case K.Complex:
        case K.Imaginary:
        case K.PtrMem:
          needSpace = true;
          needParen = true;
          break;
        default:
          break;
      }
      if (needParen) break;
    }
    if (needParen) {
      if (!needSpace && this.last !== "(" && this.last !== "*") needSpace = true;
      if (needSpace && this.last !== " ") this.append(" ");
      this.append("(");
    }
    const holdMods = this.modifiers;
    this.modifiers = null;
    this.modList(mods, false);
    if (needParen) this.append(")");
    this.append("(");
    this.list(dc.list);
    this.append(")");
    this.modList(mods, true);
    this.modifiers = holdMods;
  }

  private arrayType(dc: Node, mods: Mod | null): void {
    let needSpace = true;
    if (mods !== null) {
      let needParen = false;
      for (let p: Mod | null = mods; p !== null; p = p.next) {
        if (!p.printed) {
          if (p.mod.k === K.ArrayType) {
            needSpace = false;
          } else {
            needParen = true;
            needSpace = true;
          }
          break;
        }
      }
      if (needParen) this.append(" (");
      this.modList(mods, false);
      if (needParen) this.append(")");
    }
    if (needSpace) this.append(" ");
    this.append("[");
    if (dc.l !== null) this.comp(dc.l);
    this.append("]");
  }

  private conversion(dc: Node): void {
    const pushed = this.currentTemplate !== null;
    if (pushed) this.templates = { tmpl: this.currentTemplate!, next: this.templates };
    const t = dc.l!;
    if (t.k !== K.Template) {
      this.comp(t);
      if (pushed) this.templates = this.templates!.next;
    } else {
      this.comp(t.l);
      if (pushed) this.templates = this.templates!.next;
      if (this.last === "<") this.append(" ");
      this.append("<");
      this.list(t.list);
      if (this.last === ">") this.append(" ");
      this.append(">");
    }
  }

  private unary(dc: Node): void {
    const op = dc.l!;
    let operand = dc.r!;
    let code: string | null = null;
    if (op.k === K.Operator) {
      code = op.op!.code;
      if (code === "ad") {
        // Don't print the parameter list for the address of a function.
        if (operand.k === K.TypedName && operand.l!.k === K.QualName && operand.r!.k === K.FunctionType) operand = operand.l!;
      }
      if (operand.k === K.BinaryArgs) {
        // A suffix operator (x++).
        this.subexpr(operand.l!);
        this.exprOp(op);
        return;
      }
    }
    if (code === "sZ") {
      const a = this.findPack(operand);
      this.append(String(a ? a.list!.length : 0));
      return;
    }
    if (code === "sP") {
      let count = 0;
      for (const elt of operand.list ?? []) {
        if (elt === null) break;
        if (elt.k === K.PackExpansion) {
          const a = this.findPack(elt.l);
          count += a ? a.list!.length : 0;
        } else count++;
      }
      this.append(String(count));
      return;
    }
    if (op.k !== K.Cast) this.exprOp(op);
    else {
      this.append("(");
      this.comp(op.l);
      this.append(")");
    }
    if (code === "gs") this.comp(operand);
    else if (code === "st") {
      this.append("(");
      this.comp(operand);
      this.append(")");
    } else this.subexpr(operand);
  }

  private binary(dc: Node): void {
    const op = dc.l!;
    const args = dc.r!;
    if (args.k !== K.BinaryArgs || op.k !== K.Operator) this.fail();
    const code = op.op!.code;
    if (code[1] === "c" && (code[0] === "s" || code[0] === "d" || code[0] === "c" || code[0] === "r")) {
      this.exprOp(op);
      this.append("<");
      this.comp(args.l);
      this.append(">(");
      this.comp(args.r);
      this.append(")");
      return;
    }
    if (code[0] === "f") return this.fold(code, args.l!, args.r!, null);
    if (code === "di" || code === "dx" || code === "dX") this.fail();
    const gt = op.op!.name === ">";
    if (gt) this.append("(");
    if (code === "cl" && args.l!.k === K.TypedName) {
      const func = args.l!;
      if (func.r!.k !== K.FunctionType) this.fail();
      this.subexpr(func.l!);
    } else this.subexpr(args.l!);
    if (code === "ix") {
      this.append("[");
      this.comp(args.r);
      this.append("]");
    } else {
      if (code !== "cl") this.exprOp(op);
      this.subexpr(args.r!);
    }
    if (gt) this.append(")");
  }

  private fold(code: string, operator: Node, op1: Node, op2: Node | null): void {
    const save = this.packIndex;
    this.packIndex = -1;
    switch (code[1]) {
      case "l":
        this.append("(...");
        this.exprOp(operator);
        this.subexpr(op1);
        this.append(")");
        break;
      case "r":
        this.append("(");
        this.subexpr(op1);
        this.exprOp(operator);
        this.append("...)");
        break;
      case "L":
      case "R":
        this.append("(");
        this.subexpr(op1);
        this.exprOp(operator);
        this.append("...");
        this.exprOp(operator);
        this.subexpr(op2!);
        this.append(")");
        break;
    }
    this.packIndex = save;
  }

  private trinary(dc: Node): void {
    const op = dc.l!;
    const a1 = dc.r!;
    if (a1.k !== K.TrinaryArg1 || a1.r!.k !== K.TrinaryArg2 || op.k !== K.Operator) this.fail();
    const first = a1.l!;
    const second = a1.r!.l!;
    const third = a1.r!.r;
    const code = op.op!.code;
    if (code[0] === "f") return this.fold(code, first, second, third);
    if (code === "dX") this.fail();
    if (code === "qu") {
      this.subexpr(first);
      this.exprOp(op);
      this.subexpr(second);
      this.append(" : ");
      this.subexpr(third!);
    } else {
      this.append("new ");
      if (first.list && first.list.length > 0) {
        this.subexpr(first);
        this.append(" ");
      }
      this.comp(second);
      if (third) this.subexpr(third);
    }
  }

  private literal(dc: Node): void {
    const type = dc.l!;
    const neg = dc.k === K.LiteralNeg;
    let tp = Print.Default;
    if (type.k === K.Builtin) {
      tp = type.b!.print;
      switch (tp) {
        case Print.Int:
        case Print.Unsigned:
        case Print.Long:
        case Print.UnsignedLong:
        case Print.LongLong:
        case Print.UnsignedLongLong:
          if (dc.r!.k === K.Name) {
            if (neg) this.append("-");
            this.comp(dc.r);
            const suffix = { [Print.Unsigned]: "u", [Print.Long]: "l", [Print.UnsignedLong]: "ul", [Print.LongLong]: "ll", [Print.UnsignedLongLong]: "ull" } as Record<number, string>;
            this.append(suffix[tp] ?? "");
            return;
          }
          break;
        case Print.Bool:
          if (dc.r!.k === K.Name && dc.r!.s!.length === 1 && !neg) {
            if (dc.r!.s === "0") {
              this.append("false");
              return;
            }
            if (dc.r!.s === "1") {
              this.append("true");
              return;
            }
          }
          break;
        default:
          break;
      }
    }
    this.append("(");
    this.comp(type);
    this.append(")");
    if (neg) this.append("-");
    if (tp === Print.Float) this.append("[");
    this.comp(dc.r);
    if (tp === Print.Float) this.append("]");
  }
}
