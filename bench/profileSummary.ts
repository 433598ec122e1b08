// `node --import tsx bench/profileSummary.ts <file.cpuprofile> [--top 25]`: the functions and
// files with the most self time in a V8 CPU profile (what `node --cpu-prof` writes), as
// Markdown, for the findings in bench/results.md (the raw profiles are not committed).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
const file = positionals[0];
if (!file) {
  process.stderr.write("usage: bench/profileSummary.ts <file.cpuprofile> [--top N]\n");
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  if (!url) return "(native)";
  const clean = url.replace(/^file:\/\//, "");
  const nm = clean.lastIndexOf("node_modules/");
  return nm >= 0 ? clean.slice(nm + "node_modules/".length) : path.relative(process.cwd(), clean);
};
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const file = where(url);
  add(functions, `${functionName || "(anonymous)"} ${file}${url ? `:${lineNumber + 1}` : ""}`, us);
  const pkg = file.startsWith("(") ? file : file.includes("/") && !file.startsWith("src") && !file.startsWith("projections") && !file.startsWith("bench") ? file.split("/").slice(0, file.startsWith("@") ? 2 : 1).join("/") : file.split("/").slice(0, 2).join("/");
  add(packages, pkg, us);
}
const table = (title: string, map: Map<string, number>) => {
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`| ${title} | self ms | % |`, "|---|---|---|", ...rows.map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} |`)].join("\n");
};
process.stdout.write(`Profile ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled.\n\n${table("package / directory", packages)}\n\n${table("function", functions)}\n`);
