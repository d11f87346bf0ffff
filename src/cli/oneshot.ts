// `wraith trace --func F --print E …` is sugar for a script; building the
// script text (rather than an AST) means one compiler and one set of
// diagnostics for both ways in.

export function oneShotScript(funcs: string[], prints: string[], cond?: string): string {
  return funcs
    .map((f) => {
      const fmt = [f, ...prints.map((p) => `${p}={}`)].join(" ").replace(/"/g, '\\"');
      const print = prints.length ? `print "${fmt}", ${prints.join(", ")};` : `print "${fmt}";`;
      return `trace ${f} { ${cond ? `if ${cond} { ${print} }` : print} }`;
    })
    .join("\n");
}
