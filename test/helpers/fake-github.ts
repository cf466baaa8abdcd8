/**
 * A local stand-in for the parts of the GitHub REST API the workflows' glue uses: issue comments
 * and issues, with GitHub's pagination (Link headers), its 65,536-character body limit (422) and
 * token checks (401). It records every request so tests can assert what was sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

interface Comment {
  id: number;
  issue: number;
  body: string;
}

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  pull_request?: boolean;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: Comment[] = [];
  readonly issues: Issue[] = [];
  /** Requests whose method and path match are answered with this status (to test failures). */
  failWith: { method: string; pathIncludes: string; status: number; message: string } | undefined;
  private server: Server | undefined;
  private nextId = 1000;
  private nextNumber = 1;

  constructor(readonly token = 'ghs_fake_token_for_tests') {}

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error('fake GitHub is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addComment(issue: number, body: string): Comment {
    const c = { id: this.nextId++, issue, body };
    this.comments.push(c);
    return c;
  }

  addIssue(fields: Partial<Issue> & { title: string }): Issue {
    const i: Issue = { number: this.nextNumber++, body: '', state: 'open', labels: [], ...fields };
    this.issues.push(i);
    return i;
  }

  /** The requests that changed something (everything but GET). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body, authorization: req.headers.authorization });

    if (req.headers.authorization !== `token ${this.token}`) return { status: 401, body: { message: 'Bad credentials' } };
    if (this.failWith && method === this.failWith.method && url.pathname.includes(this.failWith.pathIncludes)) {
      return { status: this.failWith.status, body: { message: this.failWith.message } };
    }
    if (typeof body?.body === 'string' && body.body.length > 65_536) {
      return { status: 422, body: { message: 'Validation Failed', errors: [{ field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }] } };
    }

    const m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(comments\/)?(\d+))?(\/comments)?$/);
    if (!m) return { status: 404, body: { message: 'Not Found' } };
    const [, , , isCommentPath, idText, commentsSuffix] = m;
    const id = idText ? Number(idText) : undefined;

    if (isCommentPath && id !== undefined && method === 'PATCH') {
      const c = this.comments.find((x) => x.id === id);
      if (!c) return { status: 404, body: { message: 'Not Found' } };
      c.body = String(body?.body);
      return { status: 200, body: c };
    }
    if (id !== undefined && commentsSuffix) {
      if (method === 'GET') return this.page(url, this.comments.filter((c) => c.issue === id));
      if (method === 'POST') return { status: 201, body: this.addComment(id, String(body?.body)) };
    }
    if (id === undefined && !commentsSuffix) {
      if (method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const found = this.issues.filter((i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)));
        return this.page(url, found.map(issueJson));
      }
      if (method === 'POST') {
        const labels = Array.isArray(body?.labels) ? (body.labels as string[]) : [];
        return { status: 201, body: issueJson(this.addIssue({ title: String(body?.title), body: typeof body?.body === 'string' ? body.body : '', labels })) };
      }
    }
    if (id !== undefined && !commentsSuffix && method === 'PATCH') {
      const i = this.issues.find((x) => x.number === id);
      if (!i) return { status: 404, body: { message: 'Not Found' } };
      if (typeof body?.title === 'string') i.title = body.title;
      if (typeof body?.body === 'string') i.body = body.body;
      if (body?.state === 'open' || body?.state === 'closed') i.state = body.state;
      return { status: 200, body: issueJson(i) };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private page(url: URL, items: unknown[]): { status: number; body: unknown; headers: Record<string, string> } {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const next = new URL(url.toString().replace('http://localhost', this.url));
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
  }
}

function issueJson(i: Issue): Record<string, unknown> {
  return { number: i.number, title: i.title, body: i.body, state: i.state, labels: i.labels.map((name) => ({ name })), ...(i.pull_request ? { pull_request: { url: 'x' } } : {}) };
}
