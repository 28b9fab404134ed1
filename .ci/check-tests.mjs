#!/usr/bin/env node
/* global process, console */
// CI gate on the test reporter's results (.vitest-results.json): a skipped, todo or focused-away
// test is not a pass, and fewer tests than the floor in .ci/min-tests means tests went missing.
// Raise the floor when tests are added (never lower it to make CI green).
// Usage: node .ci/check-tests.mjs [results.json] [min-tests file]; exit 1 with the reasons.
import { existsSync, readFileSync } from 'node:fs';

const resultsFile = process.argv[2] ?? '.vitest-results.json';
const floorFile = process.argv[3] ?? '.ci/min-tests';
const problems = [];
if (!existsSync(resultsFile)) {
  console.log(`[ci] no ${resultsFile}: the tests did not run`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
const notRun = [];
for (const file of r.testResults ?? [])
  for (const test of file.assertionResults ?? [])
    if (test.status !== 'passed' && test.status !== 'failed')
      notRun.push(`${test.status}: ${file.name.replace(`${process.cwd()}/`, '')} > ${test.fullName}`);
if (notRun.length > 0 || (r.numPendingTests ?? 0) > 0 || (r.numTodoTests ?? 0) > 0)
  problems.push(
    `${notRun.length || r.numPendingTests + r.numTodoTests} test(s) skipped, todo or left out by a focused test:\n  ${notRun.slice(0, 20).join('\n  ')}`,
  );
const floor = Number(readFileSync(floorFile, 'utf8').trim());
if (!Number.isInteger(floor) || floor <= 0) problems.push(`${floorFile} must hold a positive integer`);
else if (r.numTotalTests < floor)
  problems.push(`${r.numTotalTests} tests ran, fewer than the ${floor} of ${floorFile}: tests went missing`);
if (problems.length > 0) {
  for (const p of problems) console.log(`[ci] ${p}`);
  process.exit(1);
}
console.log(`[ci] ${r.numTotalTests} tests, none skipped (floor ${floor})`);
