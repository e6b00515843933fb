/** The page served in place of the PWA when no built PWA is found. */
export function notBuiltPage(searched: readonly string[]): string {
  const dirs = searched.map((d) => `<li><code>${escapeHtml(d)}</code></li>`).join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mesh relay: PWA not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f2f2f2;padding:0 .25em}</style>
</head>
<body>
<h1>The Mesh PWA is not built</h1>
<p>This relay is running and peers can bootstrap from <a href="/bootstrap.json"><code>/bootstrap.json</code></a>,
but there is no built PWA to serve. It looked for <code>index.html</code> in:</p>
<ul>${dirs}</ul>
<p>Build it from the Mesh workspace and reload this page:</p>
<pre>npm run build -w apps/pwa</pre>
<p>or start the relay with <code>--pwa-dir &lt;directory of a built PWA&gt;</code>.</p>
</body>
</html>
`
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
