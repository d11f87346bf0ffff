// C++ name text (src/dwarf/demangle/signature.ts): signatures split as gdb
// lists them, user spellings normalised to c++filt's, wild matching at `::`.
import { describe, expect, test } from "bun:test";
import { formatSignature, nameComponents, normalizeParams, normalizeType, splitSignature, wildMatch } from "../../src/dwarf/demangle/signature.ts";

describe("splitSignature", () => {
  test("demangled text: return types dropped, qualifiers kept", () => {
    expect(splitSignature("ns::Widget::resize(int, int)")).toEqual({ name: "ns::Widget::resize", params: ["int", "int"], quals: "" });
    expect(splitSignature("int outer::twice<int>(int)")).toEqual({ name: "outer::twice<int>", params: ["int"], quals: "" });
    expect(splitSignature("ns::box<int>::get() const")).toEqual({ name: "ns::box<int>::get", params: [], quals: "const" });
    expect(splitSignature("ns::Widget::operator==(ns::Widget const&) const")).toEqual({ name: "ns::Widget::operator==", params: ["ns::Widget const&"], quals: "const" });
    expect(splitSignature("bool operator<(A const&, A const&)").name).toBe("operator<");
    expect(splitSignature("X::operator()(int)")).toEqual({ name: "X::operator()", params: ["int"], quals: "" });
    expect(splitSignature("std::map<int, std::less<int> >::find(int const&)").name).toBe("std::map<int,std::less<int>>::find");
    expect(splitSignature("main")).toEqual({ name: "main", params: undefined, quals: "" });
    expect(splitSignature("f(void)").params).toEqual([]);
  });
  test("formatSignature", () => {
    expect(formatSignature(splitSignature("ns::box<int>::get() const"))).toBe("ns::box<int>::get() const");
    expect(formatSignature(splitSignature("bump(int&, ns::Widget const&, Point&)"))).toBe("bump(int&, ns::Widget const&, Point&)");
  });
});

describe("normalisation", () => {
  test("types: leading cv moved after the type, builtin keywords canonical", () => {
    expect(normalizeType("const ns::Widget &")).toBe("ns::Widget const&");
    expect(normalizeType("ns::Widget const&")).toBe("ns::Widget const&");
    expect(normalizeType("const char *")).toBe("char const*");
    expect(normalizeType("long unsigned int")).toBe("unsigned long");
    expect(normalizeType("unsigned")).toBe("unsigned int");
    expect(normalizeType("short int")).toBe("short");
    expect(normalizeType("long long int")).toBe("long long");
    expect(normalizeType("const box<int, long> *")).toBe(normalizeType("box<int, long> const*"));
  });
  test("parameter lists", () => {
    expect(normalizeParams("int,int")).toEqual(["int", "int"]);
    expect(normalizeParams(" void ")).toEqual([]);
    expect(normalizeParams("")).toEqual([]);
  });
  test("components and wild matching", () => {
    expect(nameComponents("ns::box<int, long>::get")).toEqual(["ns", "box<int,long>", "get"]);
    expect(nameComponents("ns::Widget::operator<")).toEqual(["ns", "Widget", "operator<"]);
    const c = nameComponents("ns::Widget::resize");
    expect(wildMatch(c, ["resize"])).toBe(true);
    expect(wildMatch(c, ["Widget", "resize"])).toBe(true);
    expect(wildMatch(c, ["ns", "Widget", "resize"])).toBe(true);
    expect(wildMatch(c, ["idget", "resize"])).toBe(false);
    expect(wildMatch(c, ["x", "ns", "Widget", "resize"])).toBe(false);
    expect(wildMatch(nameComponents("ns::box<int>::get"), ["box", "get"])).toBe(true);
    expect(wildMatch(nameComponents("ns::box<int>::get"), ["box<long>", "get"])).toBe(false);
  });
});
