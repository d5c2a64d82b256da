// Calls a front-end would make, typed from the generated `paths`: tsc --strict must accept them,
// and must refuse the lines marked @ts-expect-error (so the types are real, not `any`).
import type { components, paths } from "./schema";

type RegisterWebsite = paths["/api/v1/websites"]["post"];
type WebsiteCreate = RegisterWebsite["requestBody"]["content"]["application/json"];
type Website = RegisterWebsite["responses"][201]["content"]["application/json"];
type Run = paths["/api/v1/runs/{run_id}"]["get"]["responses"][200]["content"]["application/json"];
type RunId = paths["/api/v1/runs/{run_id}"]["get"]["parameters"]["path"]["run_id"];
type Problem = components["schemas"]["Problem"];

export const registration: WebsiteCreate = {
  site_code: "3701000001",
  name: "济南市人民政府",
  organisation_id: "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
  kind: "portal",
  domains: ["www.jinan.gov.cn"],
  home_url: "https://www.jinan.gov.cn/",
};

// @ts-expect-error: kind is one of the enumerated site kinds
export const badKind: WebsiteCreate = { ...registration, kind: "blog" };

export function progress(run: Run): string {
  const p = run.progress;
  return `${run.status_label}：${p.targets_done}/${p.targets_total}`;
}

export function websiteName(site: Website): string {
  return site.name;
}

export function problemText(problem: Problem): string {
  return `${problem.title}（${problem.status}）：${problem.detail}`;
}

export async function getRun(base: string, key: string, id: RunId): Promise<Run | Problem> {
  const r = await fetch(`${base}/api/v1/runs/${id}`, { headers: { Authorization: `Bearer ${key}` } });
  return (await r.json()) as Run | Problem;
}

// @ts-expect-error: a run has no such field
export const noSuchField = (run: Run): number => run.targets_total;
