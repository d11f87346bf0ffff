// The spinner's rules, on a clock the test moves by hand (the e2e test shows
// it on a real terminal; the rules about time can only be checked here
// without timing assertions): nothing for steps that end within 300 ms, at
// most one frame per 80 ms, erased at the end of a step and before any
// other output, cut to the terminal's width.
import { describe, expect, test } from "bun:test";
import { Progress, type ProgressIo } from "../../src/cli/progress.ts";

function terminal(columns = 80) {
  const io = { written: [] as string[], t: 0, columns: () => columns, now: () => io.t, write: (s: string) => void io.written.push(s) };
  return io satisfies ProgressIo;
}
const ERASE = "\r\x1b[2K";

describe("Progress", () => {
  test("a step that ends within 300 ms draws nothing, however many ticks", () => {
    const io = terminal();
    new Progress(true, io).step("compiling 3 probe sites", (tick) => {
      for (let i = 0; i < 3; i++) {
        io.t += 90;
        tick(i);
      }
    }, 3);
    expect(io.written).toEqual([]);
  });

  test("past 300 ms each tick may draw, at most one frame per 80 ms; the step's end erases the line", () => {
    const io = terminal();
    new Progress(true, io).step("compiling 9 probe sites", (tick) => {
      for (let i = 0; i < 9; i++) {
        io.t += 50;
        tick(i);
      }
    }, 9);
    // Ticks at 50, 100 … 450 ms: frames at 300 and 400 (350 and 450 are within 80 ms of the last frame).
    expect(io.written).toEqual([`${ERASE}⠋ compiling 9 probe sites (5/9)`, `${ERASE}⠙ compiling 9 probe sites (7/9)`, ERASE]);
  });

  test("the step's end erases its line even when the step throws", () => {
    const io = terminal();
    const p = new Progress(true, io);
    expect(() =>
      p.step("finding f", (tick) => {
        io.t = 400;
        tick();
        throw new Error("not found");
      }),
    ).toThrow("not found");
    expect(io.written).toEqual([`${ERASE}⠋ finding f`, ERASE]);
  });

  test("steps that follow each other are one busy stretch: the next step's label shows at once", () => {
    const io = terminal();
    const p = new Progress(true, io);
    p.step("finding f", () => void (io.t = 250));
    io.t = 260;
    p.step("compiling 1 probe site", (tick) => {
      io.t = 320;
      tick(0);
    }, 1);
    io.t = 330;
    p.step("compiling 2 probe sites", () => void (io.t = 340));
    expect(io.written).toEqual([`${ERASE}⠋ compiling 1 probe site (0/1)`, ERASE, `${ERASE}⠙ compiling 2 probe sites`, ERASE]);
  });

  test("a step long after the last one, or after other output, waits its own 300 ms", () => {
    const io = terminal();
    const p = new Progress(true, io);
    p.step("a", () => void (io.t = 250));
    io.t = 5000; // e.g. a library loaded while tracing
    p.step("b", (tick) => {
      io.t = 5100;
      tick();
    });
    expect(io.written).toEqual([]);
    p.step("c", (tick) => {
      io.t = 5500;
      tick();
      p.clear(); // a status line is written here
      io.t = 5700;
      tick();
      io.t = 5900;
      tick();
    });
    expect(io.written).toEqual([`${ERASE}⠋ c`, ERASE, `${ERASE}⠙ c`, ERASE]);
  });

  test("a label wider than the terminal is cut to fit (a wrapped line could not be erased)", () => {
    const io = terminal(20);
    new Progress(true, io).step("finding sqlite3DbFree in the debug info of sqlite-driver-gcc", (tick) => {
      io.t = 400;
      tick();
    });
    expect(io.written[0]).toBe(`${ERASE}⠋ finding sqlite3D…`);
    expect([...io.written[0]!.slice(ERASE.length)]).toHaveLength(19);
  });

  test("disabled (not a terminal, --no-status): never writes", () => {
    const io = terminal();
    const p = new Progress(false, io);
    p.step("x", (tick) => {
      io.t = 1000;
      tick();
    });
    p.clear();
    expect(io.written).toEqual([]);
  });
});
