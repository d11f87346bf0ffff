// Runtime: kernel objects and the event loop of one tracing session.
export { Session, type SessionSpec, type ProbeToAttach, type Summary, type EventHandler } from "./session.ts";
