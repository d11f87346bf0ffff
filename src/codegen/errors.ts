/** A script construct the code generator cannot lower (yet), or a value BPF cannot read. */
export class CodegenError extends Error {
  override name = "CodegenError";
}
