// The component tree the Itanium demangler parses into and prints from.
//
// Output must match GNU c++filt byte for byte, so the tree mirrors the shape
// c++filt's printer expects: binary nodes (`l`, `r`) tagged with a kind, plus
// leaf payloads. Lists (template arguments, parameter types) are arrays.

export enum K {
  Name, // s
  QualName, // l::r
  LocalName, // l (encoding) :: r (entity)
  TypedName, // l: name, r: function type
  Template, // l: name, list: args
  TemplateParam, // n
  FunctionParam, // n (0 = this)
  Ctor, // l: name
  Dtor, // l: name
  Vtable,
  Vtt,
  ConstructionVtable, // l: base, r: derived
  Typeinfo,
  TypeinfoName,
  TypeinfoFn,
  Thunk,
  VirtualThunk,
  CovariantThunk,
  Guard,
  TlsInit,
  TlsWrapper,
  RefTemp, // l: name, n
  HiddenAlias,
  TransactionClone,
  NontransactionClone,
  TparmObj,
  SubStd, // s
  Restrict,
  Volatile,
  Const,
  RestrictThis,
  VolatileThis,
  ConstThis,
  ReferenceThis,
  RvalueReferenceThis,
  TransactionSafe,
  Noexcept, // r: optional expression
  ThrowSpec, // list: optional types
  VendorTypeQual, // l: type, r: qualifier name
  Pointer,
  Reference,
  RvalueReference,
  Complex,
  Imaginary,
  Builtin, // b
  VendorType, // l
  FunctionType, // l: return type or null, list: params (a null first entry = omitted void)
  ArrayType, // l: dimension or null, r: element
  PtrMem, // l: class, r: member
  VectorType, // l: dimension, r: element
  ArgList, // list (function parameters or expression list)
  TemplateArgList, // list
  InitializerList, // l: type or null, r: ArgList
  Operator, // op
  ExtendedOperator, // n: args, l: name
  Cast, // l: type
  Conversion, // l: type
  Nullary, // l: op
  Unary, // l: op, r: operand
  Binary, // l: op, r: BinaryArgs
  BinaryArgs, // l, r
  Trinary, // l: op, r: TrinaryArg1
  TrinaryArg1, // l, r: TrinaryArg2
  TrinaryArg2, // l, r
  Literal, // l: type, r: Name
  LiteralNeg,
  Number, // n
  Decltype, // l
  PackExpansion, // l
  GlobalCtors, // l
  GlobalDtors, // l
  Lambda, // list: params, n
  UnnamedType, // n
  DefaultArg, // l: name, n
  Clone, // l: encoding, r: Name
  TaggedName, // l: name, r: tag
  FixedType,
}

export const enum Print {
  Default,
  Int,
  Unsigned,
  Long,
  UnsignedLong,
  LongLong,
  UnsignedLongLong,
  Bool,
  Float,
  Void,
}

export interface BuiltinInfo {
  readonly name: string;
  readonly print: Print;
}

export interface OperatorInfo {
  readonly code: string;
  readonly name: string;
  readonly args: number;
}

export interface Node {
  k: K;
  l: Node | null;
  r: Node | null;
  list?: (Node | null)[];
  s?: string;
  n?: number;
  b?: BuiltinInfo;
  op?: OperatorInfo;
  /** Print-time re-entrancy count (c++filt refuses to print a node nested in itself twice). */
  printing: number;
}

export function mk(k: K, l: Node | null = null, r: Node | null = null): Node {
  return { k, l, r, printing: 0 };
}

export function isFnQual(k: K): boolean {
  return (
    k === K.RestrictThis ||
    k === K.VolatileThis ||
    k === K.ConstThis ||
    k === K.ReferenceThis ||
    k === K.RvalueReferenceThis ||
    k === K.TransactionSafe ||
    k === K.Noexcept ||
    k === K.ThrowSpec
  );
}
