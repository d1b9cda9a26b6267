// Prints one closing line, `unit: N passed, N failed`, so CI logs show at a
// glance how many tests ran.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    console.log(`unit: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}`);
  }
}
module.exports = SummaryReporter;
