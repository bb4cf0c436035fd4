// JSON calls to the process-owner API (webui/api_processes.py). That API takes bearer tokens
// only; the modeler page carries one for the signed-in city bureau user (webui/modeler.py).
// A request that needs a header cannot be forged cross-site, so no CSRF token is involved.
import { t } from "./translate.js";

const apiToken = () => document.querySelector('meta[name="api-token"]').content;

export class ApiError extends Error {
  constructor(status, body) {
    super(status === 401 ? t("授权已过期，请刷新页面") : (body && body.error) || t("请求失败（HTTP {status}）", { status }));
    this.status = status;
    this.body = body;
  }
}

async function call(method, url, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${apiToken()}` };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: "omit",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("application/json") ? await response.json() : null;
  return { status: response.status, ok: response.ok, data };
}

/** The answer's JSON, or an ApiError for any status not listed in `accepted`. */
export async function request(method, url, body, accepted = []) {
  const answer = await call(method, url, body);
  if (answer.ok || accepted.includes(answer.status)) {
    return answer;
  }
  throw new ApiError(answer.status, answer.data);
}

export function processApi(processId) {
  const base = `/api/processes/${encodeURIComponent(processId)}`;
  return {
    catalogue: () => request("GET", "/api/modeler/catalogue"),
    draft: () => request("GET", `${base}/draft`),
    save: (draft) => request("PUT", `${base}/draft`, draft, [409]),
    deploy: (revision) => request("POST", `${base}/deploy`, { revision }, [422]),
    versions: () => request("GET", `${base}/versions`),
  };
}
