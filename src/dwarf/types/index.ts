// Public API of the C type model: resolve type DIEs into CType values and
// print them the way gdb does (whatis spellings, ptype and ptype /o).

export {
  type ArrayType,
  type BaseType,
  type CType,
  type Enumerator,
  type EnumType,
  type FunctionType,
  type Member,
  type PointerType,
  type PtrMemType,
  type QualifiedType,
  type Qualifier,
  type ReferenceType,
  type SourceLanguage,
  type StructType,
  type TypedefType,
  type TypeLookup,
  TypeModel,
  type UnknownType,
  type UnspecifiedType,
  type VoidType,
  languageOf,
  memberByteOffset,
  sizeOf,
  staticMemberKey,
  stripTypedefs,
} from "./model.ts";
export { type PrintOptions, type PtypeOptions, declaration, ptype, typeName } from "./print.ts";
