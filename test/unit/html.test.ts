// The html`` tagged template (views/html.ts): everything interpolated is escaped unless it is
// already markup.
import { escapeHtml, html, Markup, trusted } from '../../views/html.js';

const render = (m: Markup) => m.toString();

describe('html``', () => {
  test('returns Markup whose value is the rendered string', () => {
    const m = html`<p>${'x'}</p>`;
    expect(m).toBeInstanceOf(Markup);
    expect(m.value).toBe('<p>x</p>');
    expect(String(m)).toBe('<p>x</p>');
  });

  test.each<[string, unknown, string]>([
    ['a script tag', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['double quotes', 'say "hi"', 'say &quot;hi&quot;'],
    ['single quotes', "it's", 'it&#39;s'],
    ['an ampersand', 'Tom & Jerry', 'Tom &amp; Jerry'],
    ['an existing entity (escaped again, as text)', '&lt;', '&amp;lt;'],
    ['all five at once', `<>&"'`, '&lt;&gt;&amp;&quot;&#39;'],
    ['plain text', 'hello world', 'hello world'],
    ['a number', 42, '42'],
    ['zero (not treated as empty)', 0, '0'],
    ['the empty string', '', ''],
    ['true', true, 'true'],
    ['false', false, ''],
    ['undefined', undefined, ''],
    ['null', null, ''],
    ['an object with a toString', { toString: () => '<b>' }, '&lt;b&gt;'],
  ])('interpolating %s', (_label, value, expected) => {
    expect(render(html`<p>${value}</p>`)).toBe(`<p>${expected}</p>`);
  });

  test('an attribute value cannot be broken out of', () => {
    const evil = '" onmouseover="alert(1)';
    const out = render(html`<input value="${evil}">`);
    expect(out).toBe('<input value="&quot; onmouseover=&quot;alert(1)">');
    expect(out.match(/"/g)).toHaveLength(2);
  });

  test('the literal parts of the template are not escaped', () => {
    expect(render(html`<a href="/x?a=1&b=2">${'<'}</a>`)).toBe('<a href="/x?a=1&b=2">&lt;</a>');
  });

  test.each<[string, unknown[], string]>([
    ['strings', ['a', 'b', 'c'], 'abc'],
    ['strings needing escaping', ['<a>', '&'], '&lt;a&gt;&amp;'],
    ['markup', [html`<li>1</li>`, html`<li>2</li>`], '<li>1</li><li>2</li>'],
    ['mixed, with empties skipped', ['x', false, null, undefined, html`<br>`, 0], 'x<br>0'],
    ['nested arrays', [['a', ['<b>']], 'c'], 'a&lt;b&gt;c'],
    ['an empty array', [], ''],
  ])('arrays of %s are joined without separators', (_label, value, expected) => {
    expect(render(html`<ul>${value}</ul>`)).toBe(`<ul>${expected}</ul>`);
  });

  test('a list built with map renders each escaped item once', () => {
    const items = ['<x>', 'a&b'];
    expect(render(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`)).toBe('<ul><li>&lt;x&gt;</li><li>a&amp;b</li></ul>');
  });

  test('nested html`` is not escaped again, its own interpolations stay escaped once', () => {
    const inner = html`<b>${'<i>'} & </b>`;
    expect(render(html`<p>${inner}</p>`)).toBe('<p><b>&lt;i&gt; & </b></p>');
    expect(render(html`<div>${html`<p>${inner}</p>`}</div>`)).toBe('<div><p><b>&lt;i&gt; & </b></p></div>');
  });

  test('a conditional section renders empty when the condition is false', () => {
    const section = (show: boolean) => html`<main>${show && html`<aside>x</aside>`}</main>`;
    expect(render(section(true))).toBe('<main><aside>x</aside></main>');
    expect(render(section(false))).toBe('<main></main>');
  });

  test('trusted() passes markup through unescaped', () => {
    expect(render(html`<div>${trusted('<form method="post"></form>')}</div>`)).toBe('<div><form method="post"></form></div>');
  });

  test('a template without interpolations is returned as is', () => {
    expect(render(html`<p>&amp; "x"</p>`)).toBe('<p>&amp; "x"</p>');
  });

  test('several interpolations keep their positions', () => {
    expect(render(html`${'<'}a${'>'}b${'&'}`)).toBe('&lt;a&gt;b&amp;');
  });
});

describe('escapeHtml', () => {
  test.each<[unknown, string]>([
    ['<>&"\'', '&lt;&gt;&amp;&quot;&#39;'],
    ['safe', 'safe'],
    [undefined, ''],
    [null, ''],
    [7, '7'],
  ])('%j → %j', (value, expected) => {
    expect(escapeHtml(value)).toBe(expected);
  });
});
