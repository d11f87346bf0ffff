// The demo program, compiled by build.ts and embedded into dist/wraith.
import path from "../../.cache/embed/wraith-demo" with { type: "file" };
export default path;
