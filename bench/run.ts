/**
 * `npm run bench [section…]`: runs every benchmark section (or the named ones) and prints each
 * figure next to a baseline measured in the same run.
 */

type Section = { name: string; load: () => Promise<{ run: () => Promise<string> }> };

const sections: Section[] = [
  { name: 'engines', load: () => import('./engines.ts') },
  { name: 'intents', load: () => import('./intents.ts') },
  { name: 'crypto', load: () => import('./crypto.ts') },
  { name: 'store', load: () => import('./store.ts') },
  { name: 'http-platform', load: () => import('./http-platform.ts') },
  { name: 'queue', load: () => import('./queue.ts') },
  { name: 'webhooks', load: () => import('./webhooks.ts') },
  { name: 'http', load: () => import('./http.ts') },
];

const wanted = process.argv.slice(2);
for (const section of sections) {
  if (wanted.length > 0 && !wanted.includes(section.name)) continue;
  console.log(`\n## ${section.name}\n`);
  const mod = await section.load();
  console.log(await mod.run());
}
