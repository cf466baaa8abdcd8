import { renderJson } from '../src/render/json';
import { MARKDOWN_LIMIT, renderMarkdown } from '../src/render/markdown';
import { renderText } from '../src/render/text';
import { change, planWith, samplePlan } from './helpers/plan-builder';

describe('plan renderings', () => {
  it('text: symbols, tenants, risky first within a tenant, summary line', () => {
    expect(renderText(samplePlan(), { color: false })).toMatchSnapshot();
  });

  it('text: colour only when asked, and no ANSI codes otherwise', () => {
    expect(renderText(samplePlan(), { color: false })).not.toContain('\u001b[');
    expect(renderText(samplePlan(), { color: true })).toContain('\u001b[31m');
  });

  it('markdown: summary, warnings and risky changes before the tenant sections', () => {
    const md = renderMarkdown(samplePlan());
    expect(md).toMatchSnapshot();
    const order = ['**Plan:', '[!CAUTION]', '### Risky changes', '<details>'].map((s) => md.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('json: versioned, addresses, actions, classification, before and after', () => {
    const json = JSON.parse(renderJson(samplePlan()));
    expect(json.format_version).toBe(1);
    expect(json.changes[0]).toMatchObject({ address: 'acme/user/acme-ops', action: 'update', classification: 'security-broadening' });
    expect(renderJson(samplePlan())).toMatchSnapshot();
  });

  it('markdown stays under the comment limit, truncating tenant sections with a notice and keeping the summary', () => {
    const big = 'x'.repeat(400);
    const changes = Array.from({ length: 40 }, (_, t) =>
      Array.from({ length: 30 }, (_, i) =>
        change({
          tenant: `tenant-${String(t).padStart(2, '0')}`,
          kind: 'user',
          id: `user-${i}`,
          action: 'update',
          attributes: [{ name: 'allowedCidrs', before: [big], after: [`${big}y`] }],
        }),
      ),
    ).flat();
    changes.push(change({ tenant: 'zz-last', kind: 'role', id: 'r', action: 'delete', risks: [{ class: 'destroy', reason: 'revokes access' }] }));
    const md = renderMarkdown(planWith(changes));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toContain('**Plan: 0 to add, 1200 to change, 1 to destroy, 0 blocked.**');
    expect(md).toContain('`zz-last/role/r`'); // the risky table survives
    expect(md).toContain('was cut here to fit');
    expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});
