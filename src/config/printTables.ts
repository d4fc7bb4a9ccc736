// `npm run docs:config`: every variable group as Markdown table rows taken from its schema (default)
// and its declaration (example, meaning), to paste into the group's page. The docs' own tables may
// say more; tests/unit/config/readmeTable.test.ts fails when one lacks a variable or names a gone one.
import { groupTitle, variableGroups, variableRows } from './reference.ts';

for (const g of variableGroups) console.log(`${g.page}: ${groupTitle(g)}\n\n${variableRows(g).join('\n')}\n`);
