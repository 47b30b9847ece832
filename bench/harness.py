#!/usr/bin/env python3
"""Side-by-side benchmark harness (stdlib only); called by bench/run.sh.

For every case of every selected benchmark folder (see bench/README.md) it runs
the tessera side and the peer side alternately, one discarded warm-up pair then
``--pairs`` measured pairs, and reports medians, the median of per-pair ratios
(tessera / peer), peak RSS and the quality metric. The case's row in
docs/BENCHMARKS.md is replaced (or added) between the table markers.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN = "<!-- bench:table:begin -->"
END = "<!-- bench:table:end -->"
HEADER = (
    "| benchmark | case | tessera (s) | peer (s) | ratio t/p | tessera RSS (MiB) | peer RSS (MiB) "
    "| metric: tessera / peer | threads | pairs | date (UTC) | commit |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |\n"
)


def discover():
    """Benchmark folders: bench/<name>/ holding cases.txt, tessera.sh and peer.py."""
    found = []
    for d in sorted(BENCH.iterdir()):
        if d.is_dir() and (d / "cases.txt").is_file():
            missing = [f for f in ("tessera.sh", "peer.py") if not (d / f).is_file()]
            if missing:
                print(f"skip {d.name}: missing {', '.join(missing)}", file=sys.stderr)
                continue
            found.append(d.name)
    return found


def read_cases(name):
    cases = []
    for lineno, line in enumerate((BENCH / name / "cases.txt").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        label, *args = line.split()
        cases.append((label, [os.path.expandvars(a) for a in args]))
    if not cases:
        raise SystemExit(f"bench/{name}/cases.txt: expected at least one `LABEL ARG...` line, found none")
    return cases


def run_side(cmd, env, timeout):
    """Runs one side once under /usr/bin/time (peak RSS of its largest process).

    Returns dict(seconds, wall, rss_mib, metric, value, extra); raises RuntimeError on failure.
    """
    timed = ["/usr/bin/time", "-f", "MAXRSS_KB=%M", "--"] + cmd
    start = time.perf_counter()
    proc = subprocess.Popen(timed, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{' '.join(cmd)}: timed out after {timeout} s")
    wall = time.perf_counter() - start
    rss_lines = [l for l in err.splitlines() if l.startswith("MAXRSS_KB=")]
    rss = int(rss_lines[-1].split("=")[1]) / 1024 if rss_lines else float("nan")
    if proc.returncode != 0:
        tail = "\n".join(l for l in err.strip().splitlines()[-8:] if not l.startswith("MAXRSS_KB="))
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{tail}")
    lines = [l for l in out.strip().splitlines() if l.strip()]
    try:
        result = json.loads(lines[-1])
        seconds = float(result["seconds"])
    except (IndexError, ValueError, KeyError, TypeError):
        raise RuntimeError(
            f"{' '.join(cmd)}: expected a JSON object with `seconds` as the last stdout line, "
            f"found {lines[-1] if lines else 'no output'!r}"
        )
    return {
        "seconds": seconds,
        "wall": wall,
        "rss_mib": rss,
        "metric": result.get("metric"),
        "value": result.get("value"),
        "extra": {k: v for k, v in result.items() if k not in ("seconds", "metric", "value")},
    }


def prepare(name):
    """Runs bench/<name>/prepare.sh (optional: builds the benchmark's inputs once); False on failure."""
    script = BENCH / name / "prepare.sh"
    if not script.is_file():
        return True
    print(f"== {name}: prepare.sh", file=sys.stderr)
    done = subprocess.run([str(script)], cwd=ROOT)
    if done.returncode != 0:
        print(f"FAILED {name}/prepare.sh: exit {done.returncode}", file=sys.stderr)
    return done.returncode == 0


def side_env(threads):
    env = dict(os.environ)
    t = str(threads)
    for k in ("THREADS", "RAYON_NUM_THREADS", "TESSERA_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[k] = t
    return env


def median_or_nan(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def run_case(name, label, args, pairs, threads, timeout, log):
    """Warm-up pair + `pairs` alternating pairs; returns the summary dict."""
    env = side_env(threads)
    extra = args + ["--threads", str(threads)]
    sides = {
        "tessera": [str(BENCH / name / "tessera.sh")] + extra,
        "peer": [str(BENCH / ".venv" / "bin" / "python"), str(BENCH / name / "peer.py")] + extra,
    }
    runs = {"tessera": [], "peer": []}
    for i in range(pairs + 1):
        for side in ("tessera", "peer"):
            r = run_side(sides[side], env, timeout)
            r.update(side=side, pair=i, warmup=i == 0, benchmark=name, case=label, threads=threads)
            log.write(json.dumps(r) + "\n")
            log.flush()
            if i > 0:
                runs[side].append(r)
            print(f"  {'warm-up' if i == 0 else f'pair {i}'} {side:8s} {r['seconds']:.4f} s  rss {r['rss_mib']:.0f} MiB", file=sys.stderr)
    t = [r["seconds"] for r in runs["tessera"]]
    p = [r["seconds"] for r in runs["peer"]]
    return {
        "benchmark": name,
        "case": label,
        "tessera_s": statistics.median(t),
        "peer_s": statistics.median(p),
        "ratio": statistics.median([a / b for a, b in zip(t, p)]),
        "tessera_rss": max(r["rss_mib"] for r in runs["tessera"]),
        "peer_rss": max(r["rss_mib"] for r in runs["peer"]),
        "metric": runs["tessera"][-1]["metric"] or runs["peer"][-1]["metric"],
        "tessera_value": median_or_nan([r["value"] for r in runs["tessera"]]),
        "peer_value": median_or_nan([r["value"] for r in runs["peer"]]),
        "threads": threads,
        "pairs": pairs,
    }


def fmt_metric(s):
    if not s["metric"]:
        return "–"
    return f"{s['metric']}: {s['tessera_value']:.6g} / {s['peer_value']:.6g}"


def table_row(s, date, commit):
    return (
        f"| {s['benchmark']} | {s['case']} | {s['tessera_s']:.4g} | {s['peer_s']:.4g} | **{s['ratio']:.2f}** "
        f"| {s['tessera_rss']:.0f} | {s['peer_rss']:.0f} | {fmt_metric(s)} | {s['threads']} | {s['pairs']} "
        f"| {date} | {commit} |"
    )


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} logical cores{mem}, {platform.system()} {platform.release()}"


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def update_doc(summaries, date, commit):
    """Replaces/adds the rows of the measured cases between the markers; keeps everything else."""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    if BEGIN not in text:
        text = text.rstrip("\n") + f"\n\n## Side-by-side table (`bench/run.sh`)\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    block, tail = rest.split(END, 1)
    rows = {}
    machine_line = f"Machine: {machine()}."
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) >= 12 and cells[0] not in ("benchmark", "---"):
            rows[(cells[0], cells[1])] = line
        elif line.startswith("Machine: "):
            machine_line = line
    for s in summaries:
        rows[(s["benchmark"], s["case"])] = table_row(s, date, commit)
    if summaries:
        machine_line = f"Machine: {machine()}."
    body = "\n".join(rows[k] for k in sorted(rows))
    DOC.write_text(f"{head}{BEGIN}\n{machine_line}\n\n{HEADER}{body}\n{END}{tail}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="+", help="benchmark folder names, or `all`")
    ap.add_argument("--pairs", type=int, default=5, help="measured pairs after the warm-up pair (>= 5 recommended)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--case", action="append", default=[], help="only the cases with this label (repeatable)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per single run")
    ap.add_argument("--no-doc", action="store_true", help="do not update docs/BENCHMARKS.md")
    a = ap.parse_args()
    # Case arguments may name $BENCH_DATA (generated inputs) and $SHARED_DATA (real data).
    os.environ.setdefault("BENCH_DATA", str(BENCH / "out" / "data"))
    os.environ.setdefault("SHARED_DATA", "/work/shared/data")
    if a.pairs < 1:
        raise SystemExit(f"--pairs: expected >= 1, found {a.pairs}")
    available = discover()
    names = available if a.names == ["all"] else a.names
    unknown = [n for n in names if n not in available]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}: expected one of {available} or `all`")
    out = BENCH / "out" / "results"
    out.mkdir(parents=True, exist_ok=True)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    commit = git_commit()
    failures = []
    for name in names:
        if not prepare(name):
            failures.append(f"{name}/prepare")
            continue
        with open(out / f"{name}.jsonl", "a") as log:
            for label, args in read_cases(name):
                if a.case and label not in a.case:
                    continue
                print(f"== {name} / {label}: {' '.join(args)}", file=sys.stderr)
                try:
                    s = run_case(name, label, args, a.pairs, a.threads, a.timeout, log)
                except RuntimeError as e:
                    print(f"FAILED {name}/{label}: {e}", file=sys.stderr)
                    failures.append(f"{name}/{label}")
                    continue
                print(
                    f"{name:10s} {label:24s} tessera {s['tessera_s']:.4g} s  peer {s['peer_s']:.4g} s  "
                    f"ratio {s['ratio']:.2f}  rss {s['tessera_rss']:.0f}/{s['peer_rss']:.0f} MiB  {fmt_metric(s)}",
                    flush=True,
                )
                if not a.no_doc:
                    update_doc([s], date, commit)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
