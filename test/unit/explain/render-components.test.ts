// `npm run components -- render`: the page per session state, through the gateway's own decision
// and rewriter, with `routes explain`'s session flags.
import { describe, expect, it } from 'vitest';

import { renderComponents } from '../../../src/explain/render-components';

const PAGE = [
  '<clerk-signed-out treat-pending-as-signed-out="false">[sign-in]</clerk-signed-out>',
  '<clerk-signed-in treat-pending-as-signed-out="false"><clerk-signed-out>[finish]</clerk-signed-out>[sign-out]</clerk-signed-in>',
  '<clerk-protect role="org:admin">[admin]<clerk-fallback>[no]</clerk-fallback></clerk-protect>',
  '<clerk-value name="user-id"></clerk-value>',
].join('');

describe('renderComponents', () => {
  it('renders the page for each session state', async () => {
    expect((await renderComponents(PAGE, 'signed-out')).html).toBe('[sign-in][no]');
    expect((await renderComponents(PAGE, 'machine')).html).toBe('[sign-in][no]');
    expect((await renderComponents(PAGE, 'pending', { role: 'org:admin' })).html).toBe('[finish][sign-out][no]');
    expect((await renderComponents(PAGE, 'active')).html).toBe('[sign-out][no]user_explain');
    expect((await renderComponents(PAGE, 'active', { role: 'org:admin' })).html).toBe('[sign-out][admin]user_explain');
  });

  it('says where malformed markup stopped the page', async () => {
    const rendered = await renderComponents('<p>a</p><clerk-protect rol="org:admin">x</clerk-protect>rest', 'active');
    expect(rendered.problem).toBe('<clerk-protect>: rol is not an attribute of it (known: treat-pending-as-signed-out, role, permission, feature, plan)');
    expect(rendered.html).not.toContain('rest');
  });
});
